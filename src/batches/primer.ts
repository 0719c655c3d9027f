/**
 * `--cache schedule` and `auto` on the batches engine: the primer plan. Inside one Message Batch no
 * request reads another's cache write, so a batch of lines that share a cached prefix pays a write
 * for each of them. The plan puts the first line of each prefix group in a primer batch (phase 0),
 * alone of its group, with a 1 h TTL on its breakpoints (a batch may take far longer than 5 minutes
 * to be processed, and the entry must live until the next phase runs); every other line goes in the
 * main phase (1), submitted once the primer has ended, and reads the entry the primer wrote. Lines
 * with nothing to cache go in the primer phase: they need nothing from it.
 */
import { cacheMinimumTokens } from '../cache/cache-rules.js';
import { MAX_WARM_KEYS } from '../cache/cache-schedule.js';
import { promptPrefixes } from '../cache/prompt-prefixes.js';
import { isRecord } from '../is-record.js';
import type { MessageParams } from '../types.js';
import type { PhasePlan } from './phases.js';

/** The phases of the primer plan, as the job file and `lp-batch status` number them. */
export const PRIMER_PHASE = 0;
export const MAIN_PHASE = 1;

/**
 * The primer plan. A line's group is its shortest cacheable prefix (the one most lines share: a
 * system prompt, before a question of its own); a line with none (no breakpoint, or every one below
 * the model's minimum) goes in the primer phase as written, so a file with no breakpoint is one
 * phase's batches as under `--cache off`. Past {@link MAX_WARM_KEYS} groups, the lines
 * of a new group go in the main phase unprimed, so that a pass's memory stays bounded.
 */
export const PRIMER_PLAN: PhasePlan = {
  phases: 2,
  planner: (prices) => {
    const primed = new Set<string>();
    return (request) => {
      const { params } = request;
      const key = promptPrefixes(params, cacheMinimumTokens(params.model, prices)).prefixes[0]?.key;
      // A line with nothing to cache needs nothing from the primer: it does not wait for it.
      if (key === undefined) return { phase: PRIMER_PHASE, params };
      if (primed.has(key) || primed.size >= MAX_WARM_KEYS) return { phase: MAIN_PHASE, params };
      primed.add(key);
      return { phase: PRIMER_PHASE, params: withHourTtl(params) };
    };
  },
};

/**
 * `params` with `ttl: "1h"` on every `cache_control` it carries (on tools, system and message blocks,
 * and the top level). Every breakpoint, not only the group's: the API wants a request's 1 h
 * breakpoints before its 5 min ones. Nothing else changes.
 */
export function withHourTtl(params: MessageParams): MessageParams {
  const out: MessageParams = { ...params };
  if (Array.isArray(params.tools)) out.tools = params.tools.map(hourBlock);
  if (Array.isArray(params.system)) out.system = params.system.map(hourBlock);
  out.messages = params.messages.map((message) => {
    if (!isRecord(message) || !Array.isArray(message.content)) return message;
    return { ...message, content: message.content.map(hourBlock) };
  });
  if (params.cache_control !== undefined) out.cache_control = hourControl(params.cache_control);
  return out;
}

function hourBlock<T>(block: T): T {
  if (!isRecord(block) || block.cache_control === undefined) return block;
  return { ...block, cache_control: hourControl(block.cache_control) };
}

function hourControl(control: unknown): unknown {
  return isRecord(control) && control.type === 'ephemeral' ? { ...control, ttl: '1h' } : control;
}
