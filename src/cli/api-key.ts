/** Where the API key comes from: the environment only, never argv. */
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

/** Refuses a key given on the command line, without repeating it. */
export function refuseKeyInArgv(argv: readonly string[]): void {
  if (argv.some((arg) => /^--(api-key|apiKey|key)(=|$)/.test(arg))) {
    throw new UsageError(
      'the API key is read from the environment only (LP_API_KEY, ANTHROPIC_API_KEY or --api-key-env NAME), never from the command line',
    );
  }
}
