/**
 * The cacheable prefixes of a request, as the API sees them: its blocks in the API's order (each
 * tool, each system block, each message's blocks), a breakpoint at each block with `cache_control`
 * (and at the last block for a top-level `cache_control`), each prefix named by a compact key (a
 * hash of the model and the canonical JSON of its blocks, never the prefix itself: memory stays
 * flat) with its TTL and its estimated tokens. The one computation of prefix groups: the run's
 * scheduler, `--cache auto`, the estimate and the Message Batches primer all use it.
 */
import { createHash, type Hash } from 'node:crypto';
import {
  estimateBlockTokens,
  MESSAGE_OVERHEAD_TOKENS,
  REQUEST_OVERHEAD_TOKENS,
  textTokens,
  toolPromptTokens,
} from '../limits/estimate-tokens.js';
import { isRecord } from '../is-record.js';
import type { MessageParams } from '../types.js';
import { canonicalJson } from './canonical-json.js';
import { type CacheTtl, MAX_BREAKPOINTS, ttlOf } from './cache-rules.js';

/** One cacheable prefix of a request: everything from the first block up to a breakpoint. */
export interface CachePrefix {
  /** The model and the prefix's blocks, hashed (22 characters). Equal keys: the same prefix. */
  key: string;
  ttl: CacheTtl;
  /** Estimated tokens of the whole prefix (src/limits/estimate-tokens.ts). */
  tokens: number;
  /** Whether the breakpoint is in tools or system (the part `--cache auto` marks) rather than in messages. */
  inHead: boolean;
}

/** The tools and system of a request: what `--cache auto` looks for in other lines. */
export interface PromptHead {
  /** The key a breakpoint on its last block would have. */
  key: string;
  /** Estimated tokens, the tool-use system prompt included. */
  tokens: number;
  /** Whether its last block already carries `cache_control`. */
  marked: boolean;
}

export interface PromptPrefixes {
  /** Breakpoints the request carries (tools, system and message blocks, top level), whatever their length. */
  breakpoints: number;
  /**
   * Its cacheable prefixes, shortest first: the breakpoints whose prefix reaches the model's minimum.
   * None when it carries more than the API's 4 (the API refuses it).
   */
  prefixes: CachePrefix[];
  /** Its tools and system, or null when it has neither. */
  head: PromptHead | null;
}

/** Keys are cut to this many base64url characters: 132 bits, as `params_hash`. */
const KEY_LENGTH = 22;

/**
 * The prefixes of `params`, those below `minimum` tokens (the model's: src/cache/cache-rules.ts)
 * left out, as the API ignores them. Blocks are compared by their canonical JSON less their own
 * `cache_control`, and a string `system` or `content` is the text block it stands for, so marking a
 * prefix never changes its key. Where the prefix reaches into messages, `tool_choice` and `thinking`
 * are part of it too (changing them invalidates the messages' cache).
 */
export function promptPrefixes(params: MessageParams, minimum: number): PromptPrefixes {
  const walk = new PrefixWalk(params.model);
  const head = walk.head(params);
  walk.messages(params);
  const { marks } = walk;
  const prefixes = marks.length > MAX_BREAKPOINTS ? [] : marks.filter((prefix) => prefix.tokens >= minimum);
  return { breakpoints: marks.length, prefixes, head };
}

/** Only the tools and system of `params` (see {@link promptPrefixes}): what `--cache auto` counts. */
export function promptHead(params: MessageParams): PromptHead | null {
  return new PrefixWalk(params.model).head(params);
}

/** The blocks of one request in the API's order, hashed and counted as they come. */
class PrefixWalk {
  /** Every breakpoint, shortest first, whatever its length. */
  readonly marks: CachePrefix[] = [];
  readonly #hash: Hash;
  #tokens = REQUEST_OVERHEAD_TOKENS;
  #inHead = true;
  #lastMarked = false;

  constructor(model: string) {
    this.#hash = createHash('sha256').update(model);
  }

  /** Tools then system; their prefix, or null when the request has neither. */
  head(params: MessageParams): PromptHead | null {
    const tools = Array.isArray(params.tools) ? params.tools : [];
    if (tools.length > 0) {
      this.#hash.update('\ntools\n');
      this.#tokens += toolPromptTokens(params.tool_choice);
      for (const tool of tools) {
        const text = canonicalJson(tool, 'cache_control');
        this.#visit(tool, text, textTokens(text));
      }
    }
    const { system } = params;
    const hasSystem = system !== undefined && system !== '' && !isEmptyArray(system);
    if (hasSystem) {
      this.#hash.update('\nsystem\n');
      this.#blocks(system);
    }
    if (tools.length === 0 && !hasSystem) return null;
    return { key: digest(this.#hash), tokens: Math.ceil(this.#tokens), marked: this.#lastMarked };
  }

  /** The messages, after `head`, and the top-level `cache_control`. */
  messages(params: MessageParams): void {
    this.#inHead = false;
    this.#hash.update(`\nmessages ${canonicalJson(params.tool_choice)} ${canonicalJson(params.thinking)}\n`);
    for (const message of params.messages) {
      const record = isRecord(message) ? message : {};
      this.#hash.update(`\n${String(record.role)}\n`);
      this.#tokens += MESSAGE_OVERHEAD_TOKENS;
      this.#blocks(record.content);
    }
    const topLevel = params.cache_control;
    // "The last cacheable block": merged with that block's own breakpoint when it has one.
    if (isEphemeral(topLevel) && !this.#lastMarked) this.#mark(ttlOf(topLevel));
  }

  /** Each block of a `system` or `content` value: a string is the one text block it stands for. */
  #blocks(content: unknown): void {
    if (typeof content === 'string') {
      this.#visit(content, canonicalJson({ type: 'text', text: content }), textTokens(content));
    } else if (Array.isArray(content)) {
      for (const block of content) {
        this.#visit(block, canonicalJson(block, 'cache_control'), estimateBlockTokens(block));
      }
    } else if (content !== undefined) {
      const text = canonicalJson(content);
      this.#visit(content, text, textTokens(text));
    }
  }

  #visit(block: unknown, text: string, tokens: number): void {
    this.#hash.update(text).update('\n');
    this.#tokens += tokens;
    const control = isRecord(block) ? block.cache_control : undefined;
    this.#lastMarked = isEphemeral(control);
    if (isEphemeral(control)) this.#mark(ttlOf(control));
  }

  #mark(ttl: CacheTtl): void {
    this.marks.push({ key: digest(this.#hash), ttl, tokens: Math.ceil(this.#tokens), inHead: this.#inHead });
  }
}

function digest(hash: Hash): string {
  return hash.copy().digest('base64url').slice(0, KEY_LENGTH);
}

function isEphemeral(control: unknown): control is { type: 'ephemeral'; ttl?: unknown } {
  return isRecord(control) && control.type === 'ephemeral';
}

function isEmptyArray(value: unknown): boolean {
  return Array.isArray(value) && value.length === 0;
}
