/**
 * Reaching a job's batches: the endpoint and the key (`connect`, as a run finds them), one transport
 * and the BatchApi over it, with the limits of a call (`--timeout`, `--idle-timeout` for a download,
 * `--max-response-bytes`, `--max-retries`, `--max-retry-wait`).
 */
import type { Clock } from '../clock.js';
import { BatchApi } from '../client/batch-api.js';
import type { BatchApiSpec, ProviderName } from '../client/providers.js';
import { Transport } from '../client/transport.js';
import { BatchJobError } from '../errors.js';
import { createRedactor } from '../output/redact.js';
import { type Connection, connect } from '../run/connect.js';
import { packageVersion } from '../version.js';

export interface BatchConnectionOptions {
  provider: ProviderName;
  baseUrl: string | undefined;
  batchApi: BatchApiSpec;
  apiKeyEnv: string | undefined;
  apiKey: string | undefined;
  header: readonly string[] | undefined;
  allowInsecureHttp: boolean;
  env: NodeJS.ProcessEnv;
  /** Seconds, as the options give them. */
  timeout: number;
  idleTimeout: number;
  maxResponseBytes: number;
  maxRetries: number;
  maxRetryWait: number;
  clock: Clock;
  /** Cuts off calls in flight and the waits between attempts (the hard stop). */
  signal?: AbortSignal | undefined;
}

export interface BatchConnection {
  api: BatchApi;
  connection: Connection;
  /** Masks the key in what a server sent. */
  redact: (text: string) => string;
  close(): Promise<void>;
}

/** Opens the job's batch API. Throws a UsageError for a missing key or a refused base URL. */
export async function openBatchConnection(opts: BatchConnectionOptions): Promise<BatchConnection> {
  const connection = await connect({ ...opts, userAgent: `lp-batch/${packageVersion()}` });
  const batches = connection.batches;
  if (batches === null) {
    await connection.close();
    throw new BatchJobError('internal: no batch endpoint');
  }
  const redact = createRedactor(connection.secrets);
  const seconds = (s: number) => Math.round(s * 1000);
  const transport = new Transport({
    endpoint: batches,
    // Calls are one at a time; a second socket serves a results download beside a look at a batch.
    connections: 2,
    timeoutMs: seconds(opts.timeout),
    idleTimeoutMs: seconds(opts.idleTimeout),
    maxResponseBytes: opts.maxResponseBytes,
    signal: opts.signal,
    redact,
  });
  const api = new BatchApi({
    transport,
    url: batches.url,
    dialect: batches.dialect,
    retry: { maxRetries: opts.maxRetries, maxRetryWaitMs: seconds(opts.maxRetryWait) },
    clock: opts.clock,
    signal: opts.signal,
    maxBytes: opts.maxResponseBytes,
    redact,
  });
  return {
    api,
    connection,
    redact,
    close: async () => {
      await transport.close();
      await connection.close();
    },
  };
}
