/**
 * Small conveniences for tests over the simulator: fault rules that compose (fail the first n
 * attempts, fail only some prompts) and a way to read a recorded request's prompt.
 *
 *   const server = await startMockServer({
 *     fault: firstOf(whenPrompt('flaky', failFirst(2, faults.overloaded())), whenPrompt('dead', faults.hang())),
 *   });
 */
import type { Fault } from '../../src/mock/faults.js';
import type { RecordedRequest } from '../../src/mock/server.js';

/** What `MockServerOptions.fault` takes: a fault for this request, or undefined to answer normally. */
export type FaultRule = (request: RecordedRequest) => Fault | undefined;

/**
 * The first `n` attempts of every distinct request get `fault`, later ones succeed. Attempts are
 * keyed by the JSON body, so the retries of one request count together and other requests keep
 * their own count. Only requests that reach this rule count (inside `whenPrompt`, only matches).
 */
export function failFirst(n: number, fault: Fault): FaultRule {
  const attempts = new Map<string, number>();
  return (request) => {
    const key = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    return attempt <= n ? fault : undefined;
  };
}

/** Apply `then` only to requests whose prompt (see `promptOf`) contains `pattern` or matches it. */
export function whenPrompt(pattern: string | RegExp, then: Fault | FaultRule): FaultRule {
  const rule = typeof then === 'function' ? then : () => then;
  return (request) => {
    const prompt = promptOf(request);
    const matches = typeof pattern === 'string' ? prompt.includes(pattern) : pattern.test(prompt);
    return matches ? rule(request) : undefined;
  };
}

/** The first rule that gives a fault wins; later rules are not consulted (their counts do not move). */
export function firstOf(...rules: FaultRule[]): FaultRule {
  return (request) => {
    for (const rule of rules) {
      const fault = rule(request);
      if (fault !== undefined) return fault;
    }
    return undefined;
  };
}

/** Text of the first user message (its text blocks joined); '' when the body has none. */
export function promptOf(request: RecordedRequest): string {
  const body = request.body;
  if (typeof body !== 'object' || body === null || !('messages' in body) || !Array.isArray(body.messages)) {
    return '';
  }
  const first: unknown = body.messages.find(
    (message: unknown) =>
      typeof message === 'object' && message !== null && 'role' in message && message.role === 'user',
  );
  if (typeof first !== 'object' || first === null || !('content' in first)) return '';
  const content = first.content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block: unknown) =>
      typeof block === 'object' && block !== null && 'text' in block && typeof block.text === 'string'
        ? block.text
        : '',
    )
    .join('');
}
