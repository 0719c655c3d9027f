/**
 * Where a run sends its requests: the provider preset, the base URL, the API key (given in code, or
 * read from the environment exactly as the CLI reads it) and, for the `mock` provider, the built-in
 * simulator started for the run. Shared by `lp-batch run` and `runBatch()`.
 */
import { readApiKey } from '../client/api-key.js';
import { buildEndpoint, type Endpoint, PROVIDERS, type ProviderName } from '../client/providers.js';
import { UsageError } from '../errors.js';
import { startMockServer } from '../mock/server.js';

export interface ConnectOptions {
  provider: ProviderName;
  baseUrl: string | undefined;
  apiKeyEnv: string | undefined;
  allowInsecureHttp: boolean;
  /** The key given in code; when absent it comes from the environment. */
  apiKey: string | undefined;
  env: NodeJS.ProcessEnv;
  userAgent: string;
}

export interface Connection {
  endpoint: Endpoint;
  /** Values never to be written anywhere: the key. */
  secrets: string[];
  /** Where the key came from, for messages (never the key): `LP_API_KEY`, `the apiKey option`, ... */
  keySource: string;
  /** Stops the simulator of the `mock` provider; nothing for the others. */
  close(): Promise<void>;
}

/** Resolves the endpoint and the key. Throws a UsageError for a missing key or a refused base URL. */
export async function connect(opts: ConnectOptions): Promise<Connection> {
  if (opts.apiKey !== undefined && (typeof opts.apiKey !== 'string' || opts.apiKey.trim() === '')) {
    throw new UsageError(
      'Expected `apiKey` to be a non-empty string; leave it out to read the key from the environment',
    );
  }
  const { allowInsecureHttp, userAgent } = opts;
  if (opts.provider === 'mock') {
    const mock = await startMockServer({ record: false });
    try {
      const apiKey = opts.apiKey ?? 'mock-key';
      const endpoint = buildEndpoint(PROVIDERS.mock, {
        baseUrl: mock.url,
        apiKey,
        allowInsecureHttp,
        userAgent,
      });
      return { endpoint, secrets: [apiKey], keySource: '(none: mock)', close: () => mock.close() };
    } catch (error) {
      await mock.close();
      throw error;
    }
  }
  const key =
    opts.apiKey === undefined
      ? readApiKey(opts.env, opts.apiKeyEnv)
      : { value: opts.apiKey, variable: 'the apiKey option' };
  const endpoint = buildEndpoint(PROVIDERS[opts.provider], {
    baseUrl: opts.baseUrl,
    apiKey: key.value,
    allowInsecureHttp,
    userAgent,
  });
  return { endpoint, secrets: [key.value], keySource: key.variable, close: async () => {} };
}
