/**
 * The library API of lp-batch: explicit named exports only. What is exported here is a promise to
 * users; everything else (retry policy, nano-dollar helpers, the gate) may change without notice.
 */

export { type BatchSubmitReport, type SubmitBatchesOptions, submitBatches } from './batches/library.js';
export {
  type BatchResultsReport,
  type FetchBatchResultsOptions,
  fetchBatchResults,
} from './batches/library-results.js';
export {
  type BatchCancelReport,
  type BatchJobOptions,
  batchStatus,
  cancelBatches,
} from './batches/library-status.js';
export type { BatchJobStatus, BatchStatus } from './batches/status.js';
export type { ProcessingStatus } from './client/batch-info.js';
export type { ProviderName } from './client/providers.js';
export {
  ApiError,
  BatchJobError,
  ConnectionError,
  InvalidResponseError,
  LpBatchError,
  RequestError,
  type ResponseHeaders,
  ResponseTooLargeError,
  ResultsFileError,
  UsageError,
} from './errors.js';
export type { CacheEstimateReport } from './estimate/cache-estimate.js';
export { type EstimateFileOptions, estimate } from './estimate/estimate.js';
export type {
  CostRange,
  EstimateMethod,
  EstimateReport,
  InvalidLineReport,
  ModelEstimate,
} from './estimate/tally.js';
export { type Fault, type FaultHeaders, type FaultKind, faults } from './mock/faults.js';
export {
  type BatchOutcome,
  type BatchRequestInfo,
  type MockClock,
  type MockServer,
  type MockServerOptions,
  type MockServerStats,
  type RecordedRequest,
  startMockServer,
} from './mock/server.js';
export type { EstimateOptions } from './options/estimate.js';
export type { JobOptions, ResultsOptions, SubmitOptions } from './options/batches.js';
export type { RunOptions } from './options/run.js';
export type { CacheSummary } from './output/cache-summary.js';
export type { ModelSummary, RunSummary } from './output/summary.js';
export { type RunBatchOptions, type RunBatchReport, type RunProgress, runBatch } from './run/run-batch.js';
export type { RunStop, RunStopReason } from './run/shutdown.js';
export type {
  AnthropicErrorType,
  CacheCreation,
  ContentBlock,
  ErrorBody,
  ErroredLine,
  ErrorKind,
  Message,
  MessageParams,
  NotRunLine,
  RequestCounts,
  ResultLine,
  SucceededLine,
  Usage,
} from './types.js';
