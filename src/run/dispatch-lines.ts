/**
 * The heart of a run: read the input line by line, decide what each line is (invalid, resumed, to
 * send), and send what is to be sent under p-limit, the one count of requests in flight, reading
 * ahead no further than the concurrency. Results are recorded the moment they are final.
 */
import type { LimitFunction } from 'p-limit';
import type { InputLine } from '../input/jsonl-reader.js';
import { notSentFailure } from '../output/result-line.js';
import type { BatchRequest } from '../types.js';
import { type ExecuteContext, type Execution, executeRequest } from './execute-request.js';
import type { LineIntake } from './intake.js';
import type { Recorder } from './recorder.js';
import type { Shutdown } from './shutdown.js';

export interface DispatchOptions {
  /** The input's lines, read as they are needed; reading ends when the run stops dispatching. */
  lines: AsyncIterable<InputLine>;
  /** The most requests in flight (adaptive concurrency may allow fewer), and the read-ahead. */
  concurrency: number;
  /** The one count of requests in flight; adaptive concurrency moves its limit. */
  limit: LimitFunction;
  intake: LineIntake;
  recorder: Recorder;
  shutdown: Shutdown;
  execute: ExecuteContext;
  /** Earlier results by custom_id: a line matching one may leave a second line for it in the file. */
  prior: ReadonlyMap<string, unknown>;
  /** Told after every line dealt with; reads p-limit's counts. */
  onProgress: (inFlight: number) => void;
  /** A request was not sent because `maxCost` would be passed. */
  onOverBudget: () => void;
  warn: (message: string) => void;
}

export interface Dispatched {
  /** Requests read but never sent, or cut off (a later run sends them). */
  notSent: number;
  /** Requests sent again because their params changed since their result was written. */
  changed: number;
  /** Whether the results file may now hold two lines for one custom_id. */
  mayHaveDuplicates: boolean;
  /** Whether every line of the input was read (no early stop). */
  inputRead: boolean;
  /** Resumed results whose input line's metadata changed since they were written (they keep theirs). */
  metadataChanged: number;
}

/**
 * Reads and sends every line; resolves once every request sent has its result recorded. A failure to
 * read the input or to record a result drains the run and is thrown after that.
 */
export async function dispatchLines(opts: DispatchOptions): Promise<Dispatched> {
  const { intake, recorder, shutdown, limit } = opts;
  const inFlight = () => limit.activeCount + limit.pendingCount;
  /** Results still to be recorded: awaited before the run ends. */
  const unsettled = new Set<Promise<void>>();
  const done: Dispatched = {
    notSent: 0,
    changed: 0,
    mayHaveDuplicates: false,
    inputRead: false,
    metadataChanged: 0,
  };
  let failure: { error: unknown } | null = null;
  let wake: (() => void) | null = null;
  const fail = (error: unknown) => {
    failure ??= { error };
    shutdown.drain();
  };

  const settle = (req: BatchRequest, hash: string, execution: Execution) => {
    if (execution.kind === 'not_sent') {
      done.notSent += 1;
      if (execution.reason === 'over_budget') opts.onOverBudget();
      return;
    }
    const line = recorder.executed({ ...req, model: req.params.model, paramsHash: hash }, execution);
    if (execution.kind === 'errored' && execution.stop !== null && line.result.type === 'errored') {
      shutdown.stop({ reason: execution.stop, message: line.result.error.error.message });
    }
  };
  const dispatch = (req: BatchRequest, json: string, hash: string) => {
    const task = limit((): Promise<Execution> =>
      shutdown.draining.aborted
        ? Promise.resolve({ kind: 'not_sent', reason: 'aborted' })
        : executeRequest(req, json, opts.execute),
    )
      .then((execution) => settle(req, hash, execution))
      // Recording failed (the onResult callback): nothing more is sent.
      .catch(fail)
      .finally(() => {
        unsettled.delete(task);
        opts.onProgress(inFlight());
        wake?.();
      });
    unsettled.add(task);
  };
  const slotFreed = () => new Promise<void>((resolve) => (wake = resolve));

  try {
    for await (const { line, text, invalidUtf8 } of opts.lines) {
      if (shutdown.draining.aborted) break;
      const taken = intake.take(text, line, opts.warn, invalidUtf8);
      if (taken.kind === 'invalid') {
        if (opts.prior.has(taken.custom_id)) done.mayHaveDuplicates = true;
        recorder.errored(taken, notSentFailure(taken.message), { attempts: 0, latencyMs: 0 });
        opts.onProgress(inFlight());
        continue;
      }
      if (taken.kind === 'resumed') {
        if (taken.metadataChanged) done.metadataChanged += 1;
        recorder.resumed(taken.req.params.model, taken.prior);
        continue;
      }
      if (taken.changed) done.changed += 1;
      if (taken.hadPrior) done.mayHaveDuplicates = true;
      // Bounded read-ahead: no line is read while every slot is busy.
      while (inFlight() >= opts.concurrency) await slotFreed();
      if (shutdown.draining.aborted) {
        done.notSent += 1;
        break;
      }
      dispatch(taken.req, taken.json, taken.hash);
    }
    done.inputRead = !shutdown.draining.aborted;
  } catch (error) {
    fail(error);
  } finally {
    // Whatever ended the loop, results of requests already sent are paid for: wait and record them.
    while (unsettled.size > 0) await Promise.all(unsettled);
  }
  if (failure !== null) throw (failure as { error: unknown }).error;
  return done;
}
