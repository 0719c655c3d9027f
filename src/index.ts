/** The library API of lp-batch: explicit named exports only. */

export {
  buildEndpoint,
  type Endpoint,
  PROVIDERS,
  type Provider,
  type ProviderName,
} from './client/providers.js';
export {
  ApiError,
  ConnectionError,
  InvalidResponseError,
  LpBatchError,
  RequestError,
  ResultsFileError,
  UsageError,
} from './errors.js';
export { type ParsedLine, parseRequestLine } from './input/parse-line.js';
export { validateParams } from './input/schema.js';
export { type MockServer, type MockServerOptions, startMockServer } from './mock/server.js';
export type { ModelSummary, RunSummary } from './output/summary.js';
export { costNanos, priceOf, resolveModel } from './pricing/cost.js';
export { type RunBatchOptions, type RunBatchReport, type RunProgress, runBatch } from './run/run-batch.js';
export type {
  BatchRequest,
  ErroredLine,
  Message,
  MessageParams,
  ResultLine,
  SucceededLine,
  Usage,
} from './types.js';
