/**
 * The heart of a run: read the input line by line, decide what each line is (invalid, resumed, to
 * send), and send what is to be sent, each attempt in one of the run's slots, the one count of
 * requests in flight (a request waiting out a retry holds no slot), reading ahead no further than
 * the concurrency, and holding a bounded number of requests between their first attempt and their
 * end. Results are recorded the moment they are final. When reading for dispatch ends early (a
 * stop, `--limit`), the rest of a regular file is still read, only to count what a later run would
 * send.
 */
import type { CachePrefix } from '../cache/prompt-prefixes.js';
import type { InputLine } from '../input/jsonl-reader.js';
import type { Slots } from '../limits/slots.js';
import { notSentFailure } from '../output/result-line.js';
import type { BatchRequest } from '../types.js';
import { type ExecuteContext, type Execution, executeRequest } from './execute-request.js';
import type { LineIntake } from './intake.js';
import type { Recorder } from './recorder.js';
import type { Shutdown } from './shutdown.js';

/**
 * Requests under way (sent, queued, or waiting out a retry) per slot at most: enough that requests
 * waiting out a backoff or a retry-after do not leave slots idle, few enough to bound memory.
 */
const REQUESTS_PER_SLOT = 4;

export interface DispatchOptions {
  /**
   * The input's lines, a chunk of the file at a time, read as they are needed; reading ends when the
   * run stops dispatching.
   */
  batches: AsyncIterable<InputLine[]>;
  /** The most requests in flight (adaptive concurrency may allow fewer), and the read-ahead. */
  concurrency: number;
  /** The one count of attempts in flight; adaptive concurrency moves its limit. */
  slots: Slots;
  intake: LineIntake;
  recorder: Recorder;
  shutdown: Shutdown;
  execute: Omit<ExecuteContext, 'slots' | 'onAttemptEnd'>;
  /** Earlier results by custom_id: a line matching one may leave a second line for it in the file. */
  prior: { has(custom_id: string): boolean };
  /** `--limit`: only the first this many requests (non-blank lines) are dealt with; undefined for all. */
  lineLimit: number | undefined;
  /**
   * Whether the lines left after an early end may be read to count them: only a regular file, which
   * can be read to its end without waiting on anyone (a pipe might never end; its lines stop coming
   * when the run stops dispatching).
   */
  countRest: boolean;
  /** Told after every line dealt with, with the attempts in flight. */
  onProgress: (inFlight: number) => void;
  /** A request not sent because its worst case did not fit what was left of `maxCost`. */
  onSkipped: (req: BatchRequest) => void;
  warn: (message: string) => void;
}

export interface Dispatched {
  /**
   * Requests of the input this run did not send and a later run would: cut off by a stop, skipped
   * for the budget, beyond `--limit`, or never read after a stop (those only when `inputRead`).
   */
  notSent: number;
  /** Requests sent again because their params changed since their result was written. */
  changed: number;
  /** Whether the results file may now hold two lines for one custom_id. */
  mayHaveDuplicates: boolean;
  /** Whether every line of the input was read, for dispatch or only to be counted. */
  inputRead: boolean;
  /** Whether `--limit` left lines of the input out. */
  limited: boolean;
  /** Resumed results whose input line's metadata changed since they were written (they keep theirs). */
  metadataChanged: number;
}

/**
 * Reads and sends every line; resolves once every request sent has its result recorded. A failure to
 * read the input or to record a result drains the run and is thrown after that.
 */
export async function dispatchLines(opts: DispatchOptions): Promise<Dispatched> {
  const { intake, recorder, shutdown, slots } = opts;
  const inFlight = () => slots.active;
  /** Requests between dispatch and their recorded result (sent, waiting for a slot, or for a retry). */
  let underWay = 0;
  /** Attempts sent or queued for a slot: no line is read while they fill every slot. */
  const busy = () =>
    slots.active + slots.waiting >= opts.concurrency || underWay >= opts.concurrency * REQUESTS_PER_SLOT;
  const done: Dispatched = {
    notSent: 0,
    changed: 0,
    mayHaveDuplicates: false,
    inputRead: false,
    limited: false,
    metadataChanged: 0,
  };
  let failure: { error: unknown } | null = null;
  const fail = (error: unknown) => {
    failure ??= { error };
    shutdown.drain();
  };

  let wake: (() => void) | null = null;
  let wakeQueued = false;
  /**
   * Wakes the loop once the event loop has dealt with every response that came in this turn
   * (setImmediate): their results go to the file in one write, before the next requests go out.
   */
  const wakeSoon = () => {
    if (wakeQueued) return;
    wakeQueued = true;
    setImmediate(() => {
      wakeQueued = false;
      const woken = wake;
      wake = null;
      woken?.();
    });
  };
  const changed = () => new Promise<void>((resolve) => (wake = resolve));

  const settle = (req: BatchRequest, hash: string, execution: Execution) => {
    if (execution.kind === 'not_sent') {
      done.notSent += 1;
      if (execution.reason === 'over_budget') opts.onSkipped(req);
      return;
    }
    const { custom_id, metadata } = req;
    const recorded = { custom_id, line: req.line, model: req.params.model, metadata, paramsHash: hash };
    if (execution.kind === 'succeeded') {
      recorder.succeeded(recorded, execution);
      return;
    }
    const line = recorder.errored(recorded, execution.failure, execution);
    if (execution.stop !== null) {
      shutdown.stop({ reason: execution.stop, message: line.result.error.error.message });
    }
  };
  const execute: ExecuteContext = { ...opts.execute, slots, onAttemptEnd: wakeSoon };
  const run = async (req: BatchRequest, json: string, hash: string, prefixes: CachePrefix[] | null) => {
    try {
      settle(req, hash, await executeRequest(req, json, execute, prefixes));
    } catch (error) {
      // Recording failed (the onResult callback): nothing more is sent.
      fail(error);
    } finally {
      underWay -= 1;
      opts.onProgress(inFlight());
      wakeSoon();
    }
  };

  const batches = opts.batches[Symbol.asyncIterator]();
  /**
   * The lines left when dispatching ended early, `rest` (already read) and what follows: each a
   * request a later run sends, unless its earlier result is final. Reads on only in a regular file,
   * and stops when the run is aborted; true when it reached the end.
   */
  const countTheRest = async (rest: readonly InputLine[]): Promise<boolean> => {
    const count = (input: InputLine) => {
      const earlier = intake.earlierResult(input.text, input.line);
      if (earlier === 'other_shard') return;
      if (earlier !== null) recorder.resumed(earlier.model, earlier.prior);
      if (earlier === null || !earlier.final) done.notSent += 1;
    };
    for (const input of rest) count(input);
    if (!opts.countRest) return false;
    for (;;) {
      if (shutdown.aborted.aborted) return false;
      const next = await batches.next();
      if (next.done === true) return true;
      for (const input of next.value) count(input);
    }
  };

  /** The batch being dealt with, and the index of its next line. */
  let batch: InputLine[] = [];
  let at = 0;
  let taken = 0;
  try {
    for (;;) {
      if (opts.lineLimit !== undefined && taken >= opts.lineLimit) {
        done.limited = true;
        break;
      }
      if (shutdown.draining.aborted) break;
      if (at === batch.length) {
        const next = await batches.next();
        if (next.done === true) {
          done.inputRead = true;
          break;
        }
        batch = next.value;
        at = 0;
        continue;
      }
      const { line, text, invalidUtf8 } = batch[at] as InputLine;
      at += 1;
      taken += 1;
      const decided = intake.take(text, line, opts.warn, invalidUtf8);
      if (decided.kind === 'other_shard') continue;
      if (decided.kind === 'invalid') {
        if (opts.prior.has(decided.custom_id)) done.mayHaveDuplicates = true;
        recorder.errored(decided, notSentFailure(decided.message), { attempts: 0, latencyMs: 0 });
        opts.onProgress(inFlight());
        continue;
      }
      if (decided.kind === 'resumed') {
        if (decided.metadataChanged) done.metadataChanged += 1;
        recorder.resumed(decided.req.params.model, decided.prior);
        opts.onProgress(inFlight());
        continue;
      }
      if (decided.changed) done.changed += 1;
      if (decided.hadPrior) done.mayHaveDuplicates = true;
      // Bounded read-ahead: no line is read while every slot is busy.
      while (busy()) await changed();
      if (shutdown.draining.aborted) {
        done.notSent += 1;
        break;
      }
      underWay += 1;
      void run(decided.req, decided.json, decided.hash, decided.prefixes);
    }
    if (!done.inputRead) done.inputRead = await countTheRest(batch.slice(at));
  } catch (error) {
    fail(error);
  } finally {
    await batches.return?.();
    // Whatever ended the loop, results of requests already sent are paid for: wait and record them.
    while (underWay > 0) await changed();
  }
  if (failure !== null) throw (failure as { error: unknown }).error;
  return done;
}
