/** Where the API key comes from when it is not given in code: the environment, never argv. Shared by the CLI and the library. */
import { UsageError } from '../errors.js';

export const DEFAULT_KEY_VARIABLES = ['LP_API_KEY', 'ANTHROPIC_API_KEY'] as const;

export interface ApiKey {
  value: string;
  /** The variable it was read from, for messages (never the value). */
  variable: string;
}

/**
 * The key from `--api-key-env NAME`, else LP_API_KEY, else ANTHROPIC_API_KEY.
 * Throws UsageError naming the variables tried when none is set.
 */
export function readApiKey(env: NodeJS.ProcessEnv, variable?: string): ApiKey {
  const names = variable ? [variable] : DEFAULT_KEY_VARIABLES;
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { value, variable: name };
  }
  throw new UsageError(
    `no API key: set ${names.join(' or ')} in the environment${variable ? '' : ' (or name another variable with --api-key-env)'}`,
  );
}
