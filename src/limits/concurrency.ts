/**
 * Adaptive concurrency that tells a server short of capacity from a server that fails at random.
 * Each level of concurrency is measured over a window of attempts sent at it: the share of them
 * answered 529 / 429 (congested). When most fail, the level is halved (a server down or far over
 * capacity). When a minority fails, comparing two levels says whether the failures follow the load:
 * a level just over a server's capacity gets no more through than the one below it (the extra slots
 * only buy 529s), so the level goes down; against 20 % random 529s, 64 in flight get twice what 32
 * get, so it goes back up and stays, however many 529s there are.
 */
import { UsageError } from '../errors.js';

/** Options of {@link ConcurrencyController}. */
export interface ConcurrencyOptions {
  /** Upper bound and starting point (`--concurrency`): a positive integer. */
  max: number;
  /** Lower bound. Default 1: one request always stays allowed, or the run could never finish. */
  min?: number;
  /** Least attempts in a measurement of one level (a level measures at least its own size). Default 32. */
  minWindow?: number;
  /** How long a level's measurement is trusted, ms: servers change. Default 30,000. */
  memoryMs?: number;
}

/**
 * What the measurements say about the congestion failures:
 * - `unknown`: not measured yet, or measured at one level only;
 * - `clear`: (nearly) none at the current level;
 * - `load`: they rise with concurrency (the server is short of capacity): fewer is better;
 * - `random`: they do not rise with concurrency: sending less would not make them fewer.
 */
export type CongestionVerdict = 'unknown' | 'clear' | 'load' | 'random';

/** One level's measurement, made at time `at`. */
export interface LevelSample {
  level: number;
  /** Congested attempts / attempts, 0 to 1. */
  rate: number;
  at: number;
}

/** At most this share congested counts as clear: a stray 529 in a window says little. */
export const CLEAR_RATE = 0.1;
/**
 * Above this share congested, most attempts fail: the server is down or far over capacity, and the
 * level is halved at once. Comparing levels is for failures that are a minority: there the share of
 * successes is large and measured well, while at 90 % failures a few 529s more or less (or 529s that
 * come back at once and retake their slot) would swing it.
 */
export const MOSTLY_FAILING_RATE = 0.5;
/**
 * Added slots "pay" when they get at least this share of what the slots below them get. Random
 * failures give 1 (each slot as good as any other), a capacity limit 0 (the extra slots only fail);
 * 0.5 sits far from both, so a window's noise does not flip the verdict.
 */
export const PAYING_SHARE = 0.5;
/** Past this many attempts, a level's totals are halved: its measurement follows a changing server. */
const LEVEL_MEMORY = 2048;
/**
 * Attempts after which a window is checked for failures enough to cut the level at once (more than
 * FAST_CUT_RATE of them), before the window ends.
 */
const FAILING_EVIDENCE = 32;
/**
 * With 25 % random failures, more than 60 % of 32 attempts fail about once in a million windows
 * (more than half: once in 2,500), so a cut at once is a server down or swamped, not bad luck.
 */
const FAST_CUT_RATE = 0.6;
/** Growth when a level is clear and nothing above it is known: a quarter more, at least one. */
const GROWTH = 1.25;

/**
 * Whether going from `lower` to `upper` concurrency paid off: the successes the extra slots added
 * (level x share of successes) are at least PAYING_SHARE of what as many slots got at the lower
 * level. Pure.
 */
export function extraSlotsPay(lower: LevelSample, upper: LevelSample): boolean {
  const goodLower = lower.level * (1 - lower.rate);
  const goodUpper = upper.level * (1 - upper.rate);
  const perSlotBelow = 1 - lower.rate;
  if (perSlotBelow <= 0) return goodUpper > 0;
  return (goodUpper - goodLower) / ((upper.level - lower.level) * perSlotBelow) >= PAYING_SHARE;
}

/** What to do after measuring `sample` at the current level, given the nearest fresh levels around it. */
export interface LevelDecision {
  next: number;
  verdict: CongestionVerdict;
}

/**
 * The next level, from the current measurement and the nearest fresh ones below and above. Pure:
 * - most attempts failing: halve;
 * - a level above, measured lately: stay if this one is clear; else go (back) up to it if its extra
 *   slots paid (the failures are everywhere: random), or look below if they did not;
 * - nothing above: grow if clear, or if the level below shows the failures do not rise with load;
 *   go down to the level below when they do; with nothing below, probe at half.
 */
export function decideLevel(
  sample: LevelSample,
  lower: LevelSample | null,
  upper: LevelSample | null,
  bounds: { min: number; max: number },
): LevelDecision {
  const current = sample.level;
  const clear = sample.rate <= CLEAR_RATE;
  const grown = Math.min(bounds.max, Math.max(current + 1, Math.floor(current * GROWTH)));
  if (sample.rate > MOSTLY_FAILING_RATE) {
    return { next: Math.max(bounds.min, Math.floor(current / 2)), verdict: 'load' };
  }
  // A clear level stays below a level measured lately: growth waits until that measurement is old,
  // so a window's noise cannot send it up to where the 529s were.
  if (upper !== null && clear)
    return { next: current, verdict: extraSlotsPay(sample, upper) ? 'clear' : 'load' };
  if (upper !== null && extraSlotsPay(sample, upper)) return { next: upper.level, verdict: 'random' };
  if (upper === null && clear) return { next: grown, verdict: 'clear' };
  if (lower !== null) {
    return extraSlotsPay(lower, sample)
      ? { next: upper === null ? grown : current, verdict: 'random' }
      : { next: lower.level, verdict: 'load' };
  }
  // Failing with nothing to compare: measure at half. At the floor, assume the worst.
  return current > bounds.min
    ? { next: Math.max(bounds.min, Math.floor(current / 2)), verdict: 'unknown' }
    : { next: current, verdict: 'load' };
}

/**
 * How many requests may be in flight, moved by measurements of whole windows of attempts sent at
 * the current level (attempts sent before the level was set say nothing about it): at least
 * `minWindow` attempts and twice the level, so that a window spans more than one round trip.
 */
export class ConcurrencyController {
  readonly max: number;
  readonly min: number;
  readonly minWindow: number;
  readonly memoryMs: number;
  #current: number;
  #levelSince = Number.NEGATIVE_INFINITY;
  #attempts = 0;
  #congested = 0;
  /**
   * Attempts and congested ones over every measured window of the current level, halved now and
   * then so old windows fade: a level held for long is known precisely, so one unlucky window does
   * not move it.
   */
  #levelAttempts = 0;
  #levelCongested = 0;
  /**
   * Whether the level's first window is over. That one is not measured: it starts while the slots
   * fill (and the connections open), which would make any level look slower than it is.
   */
  #warm = false;
  #verdict: CongestionVerdict = 'unknown';
  readonly #samples = new Map<number, LevelSample>();

  constructor(options: ConcurrencyOptions) {
    const { max, min = 1, minWindow = 32, memoryMs = 30_000 } = options;
    if (!Number.isInteger(max) || max < 1) {
      throw new UsageError(`Expected \`max\` to be a positive integer, got \`${String(max)}\``);
    }
    if (!Number.isInteger(min) || min < 1 || min > max) {
      throw new UsageError(`Expected \`min\` to be an integer from 1 to ${max}, got \`${String(min)}\``);
    }
    if (!Number.isInteger(minWindow) || minWindow < 1) {
      throw new UsageError(`Expected \`minWindow\` to be a positive integer, got \`${String(minWindow)}\``);
    }
    if (!(memoryMs >= 0)) {
      throw new UsageError(`Expected \`memoryMs\` to be a non-negative number, got \`${String(memoryMs)}\``);
    }
    this.max = max;
    this.min = min;
    this.minWindow = minWindow;
    this.memoryMs = memoryMs;
    this.#current = max;
  }

  /** Requests allowed in flight now. */
  get current(): number {
    return this.#current;
  }

  /** What the latest comparison of two levels said (see CongestionVerdict). */
  get verdict(): CongestionVerdict {
    return this.#verdict;
  }

  /**
   * An attempt sent at `sentAt` ended at `now` (ms, one clock); `congested` when it got a 529 or a
   * 429. Failures that say nothing about load (a 500, a reset socket) are not reported. Returns the
   * change of the limit (negative: a cut), 0 for none.
   */
  onOutcome(now: number, sentAt: number, congested: boolean): number {
    if (sentAt < this.#levelSince) return 0;
    this.#attempts += 1;
    if (congested) this.#congested += 1;
    // Most of a few dozen attempts failing is evidence enough to cut, warm or not: every window
    // spent measuring a server that is down or swamped costs it 529s.
    // Looked at once per window: looking after every attempt would let chance reach "most" some time.
    const mostlyFailing =
      this.#attempts === FAILING_EVIDENCE && this.#congested > this.#attempts * FAST_CUT_RATE;
    if (!mostlyFailing && this.#attempts < Math.max(this.minWindow, 2 * this.#current)) return 0;
    if (!this.#warm && !mostlyFailing) {
      this.#warm = true;
      this.#resetWindow();
      return 0;
    }
    this.#levelAttempts += this.#attempts;
    this.#levelCongested += this.#congested;
    if (this.#levelAttempts > LEVEL_MEMORY) {
      this.#levelAttempts /= 2;
      this.#levelCongested /= 2;
    }
    // A level failing all at once is judged on the window that shows it, not on its past.
    const rate = mostlyFailing
      ? this.#congested / this.#attempts
      : this.#levelCongested / this.#levelAttempts;
    const sample: LevelSample = { level: this.#current, rate, at: now };
    this.#samples.set(sample.level, sample);
    const { lower, upper } = this.#neighbours(now);
    const decision = decideLevel(sample, lower, upper, { min: this.min, max: this.max });
    // A probe says nothing yet: the verdict stands until two levels are compared.
    if (decision.verdict !== 'unknown') this.#verdict = decision.verdict;
    const change = decision.next - this.#current;
    this.#current = decision.next;
    if (change !== 0) {
      this.#levelSince = now;
      this.#warm = false;
      this.#levelAttempts = 0;
      this.#levelCongested = 0;
    }
    this.#resetWindow();
    return change;
  }

  #resetWindow(): void {
    this.#attempts = 0;
    this.#congested = 0;
  }

  /** The nearest fresh measurements below and above the current level; stale ones are dropped. */
  #neighbours(now: number): { lower: LevelSample | null; upper: LevelSample | null } {
    let lower: LevelSample | null = null;
    let upper: LevelSample | null = null;
    for (const [level, sample] of this.#samples) {
      if (now - sample.at > this.memoryMs) {
        this.#samples.delete(level);
      } else if (level < this.#current && (lower === null || level > lower.level)) {
        lower = sample;
      } else if (level > this.#current && (upper === null || level < upper.level)) {
        upper = sample;
      }
    }
    return { lower, upper };
  }
}
