/**
 * Where a run sends its requests: the provider preset, the base URL, the API key (given in code, or
 * read from the environment exactly as the CLI reads it) and, for the `mock` provider, the built-in
 * simulator started for the run. Shared by `lp-batch run` and `runBatch()`.
 */
import { readApiKey } from '../client/api-key.js';
import {
  type BatchApiSpec,
  buildEndpoint,
  type Endpoint,
  isLoopback,
  PROVIDERS,
  type ProviderName,
} from '../client/providers.js';
import { UsageError } from '../errors.js';
import { startMockServer } from '../mock/server.js';

/**
 * Shorter keys are refused for a remote gateway: no real key is this short, and masking a key of
 * one letter would turn every such letter of every message into `[redacted]`, which shows the key.
 */
export const MIN_KEY_LENGTH = 8;

export interface ConnectOptions {
  provider: ProviderName;
  baseUrl: string | undefined;
  apiKeyEnv: string | undefined;
  allowInsecureHttp: boolean;
  /** `--header` lines (checked by resolveOptions). */
  header: readonly string[] | undefined;
  /** The key given in code; when absent it comes from the environment. */
  apiKey: string | undefined;
  env: NodeJS.ProcessEnv;
  userAgent: string;
  /** The Message Batches API to reach too (see `batchApiOf`); its endpoint is then `batches`. */
  batchApi?: BatchApiSpec | undefined;
}

export interface Connection {
  endpoint: Endpoint;
  /** The batches collection (`batchApi` given): its URL and the headers of every call. */
  batches: (Endpoint & BatchApiSpec) | null;
  /** Values never to be written anywhere: the key (none for a short key on loopback, see MIN_KEY_LENGTH). */
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
  const { allowInsecureHttp, userAgent, header, batchApi } = opts;
  const batchesOf = (base: Parameters<typeof buildEndpoint>[1]) =>
    batchApi === undefined
      ? null
      : { ...buildEndpoint({ ...PROVIDERS[opts.provider], path: batchApi.path }, base), ...batchApi };
  if (opts.provider === 'mock') {
    const mock = await startMockServer({ record: false });
    try {
      const apiKey = opts.apiKey ?? 'mock-key';
      const base = { baseUrl: mock.url, apiKey, allowInsecureHttp, userAgent, header };
      const endpoint = buildEndpoint(PROVIDERS.mock, base);
      const secrets = secretsOf(apiKey, 'the apiKey option', endpoint.url);
      const batches = batchesOf(base);
      return { endpoint, batches, secrets, keySource: '(none: mock)', close: () => mock.close() };
    } catch (error) {
      await mock.close();
      throw error;
    }
  }
  const key =
    opts.apiKey === undefined
      ? readApiKey(opts.env, opts.apiKeyEnv)
      : { value: opts.apiKey, variable: 'the apiKey option' };
  const base = { baseUrl: opts.baseUrl, apiKey: key.value, allowInsecureHttp, userAgent, header };
  const endpoint = buildEndpoint(PROVIDERS[opts.provider], base);
  const secrets = secretsOf(key.value, key.variable, endpoint.url);
  const batches = batchesOf(base);
  return { endpoint, batches, secrets, keySource: key.variable, close: async () => {} };
}

/**
 * What to keep out of every message: the key. A key shorter than MIN_KEY_LENGTH is refused for a
 * remote gateway; on loopback (a local simulator, where no secret is at stake) it is accepted but
 * not masked.
 */
function secretsOf(key: string, source: string, url: URL): string[] {
  if (key.length >= MIN_KEY_LENGTH) return [key];
  if (isLoopback(url.hostname)) return [];
  throw new UsageError(
    `the API key from ${source} is shorter than ${MIN_KEY_LENGTH} characters: no real key is, so check it (short keys are accepted only for a gateway on loopback, such as the simulator)`,
  );
}
