/**
 * The rules of a Messages request that look at more than one field at a time, which a schema that
 * checks each value where it stands cannot express: what the API refuses for sure, refused here
 * first, so the line costs no request and its message names the field.
 *
 * Every rule reads the request defensively: it runs even when the schema found other problems, so
 * one run reports them all.
 */
import { isRecord } from '../is-record.js';
import { formatPath, type Issue, showValue } from './schema-kit.js';

const MESSAGE_KEYS: ReadonlySet<string> = new Set(['role', 'content']);

/** What the rules need to know beyond the body: how the request is sent. */
export interface RuleOptions {
  /**
   * The request goes with an `anthropic-beta` header naming an interleaved-thinking beta (see
   * namesInterleavedThinking), under which `thinking.budget_tokens` may exceed `max_tokens` (the
   * budget then spans every thinking block of the turn).
   * @default false
   */
  interleavedThinking?: boolean | undefined;
}

/** Whether an `anthropic-beta` header value names an interleaved-thinking beta (`interleaved-thinking-2025-05-14`). */
export function namesInterleavedThinking(anthropicBeta: string | undefined): boolean {
  return (anthropicBeta ?? '').split(',').some((beta) => beta.trim().startsWith('interleaved-thinking-'));
}

/** The problems of `params` (paths start at `prefix`) that only a look across fields finds. */
export function checkRequestRules(
  params: Record<string, unknown>,
  prefix: string,
  options: RuleOptions = {},
): Issue[] {
  return [
    ...checkMessages(params.messages, prefix),
    ...(options.interleavedThinking === true ? [] : checkThinking(params, prefix)),
    ...checkTools(params.tools, prefix),
  ];
}

/**
 * A message holds `role` and `content` and nothing else, and its content is not empty: only a
 * final assistant turn (a prefill the model goes on from) may be.
 */
function checkMessages(messages: unknown, prefix: string): Issue[] {
  if (!Array.isArray(messages)) return [];
  const issues: Issue[] = [];
  messages.forEach((message: unknown, index) => {
    if (!isRecord(message)) return;
    for (const [key, value] of Object.entries(message)) {
      if (MESSAGE_KEYS.has(key)) continue;
      issues.push({
        path: formatPath(prefix, ['messages', index, key]),
        message: `expected only "role" and "content" in a message, got ${showValue(value)}`,
      });
    }
    const { content } = message;
    const empty = content === '' || (Array.isArray(content) && content.length === 0);
    const prefill = index === messages.length - 1 && message.role === 'assistant';
    if (empty && !prefill) {
      issues.push({
        path: formatPath(prefix, ['messages', index, 'content']),
        message: `expected non-empty content (only a final assistant turn may be empty), got ${showValue(content)}`,
      });
    }
  });
  return issues;
}

/**
 * Extended thinking spends its budget out of `max_tokens`, so the budget must be smaller (but for
 * interleaved thinking: see RuleOptions).
 */
function checkThinking(params: Record<string, unknown>, prefix: string): Issue[] {
  const { thinking, max_tokens: maxTokens } = params;
  if (!isRecord(thinking) || thinking.type !== 'enabled') return [];
  const budget = thinking.budget_tokens;
  if (!Number.isInteger(budget) || !Number.isInteger(maxTokens)) return [];
  if ((budget as number) < (maxTokens as number)) return [];
  return [
    {
      path: formatPath(prefix, ['thinking', 'budget_tokens']),
      message: `expected an integer below max_tokens (${maxTokens as number}), got ${budget as number}`,
    },
  ];
}

/** The model calls a tool by its name: two tools may not share one. */
function checkTools(tools: unknown, prefix: string): Issue[] {
  if (!Array.isArray(tools)) return [];
  const issues: Issue[] = [];
  const first = new Map<string, number>();
  tools.forEach((tool: unknown, index) => {
    if (!isRecord(tool) || typeof tool.name !== 'string') return;
    const earlier = first.get(tool.name);
    if (earlier === undefined) {
      first.set(tool.name, index);
      return;
    }
    issues.push({
      path: formatPath(prefix, ['tools', index, 'name']),
      message: `expected a name no other tool has, got ${showValue(tool.name)} (the name of ${formatPath(prefix, ['tools', earlier])} too)`,
    });
  });
  return issues;
}
