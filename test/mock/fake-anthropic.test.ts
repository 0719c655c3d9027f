import { describe, expect, it } from 'vitest';
import { faults } from '../../src/mock/faults.js';
import { type RecordedRequest, startMockServer } from '../../src/mock/server.js';
import { failFirst, firstOf, promptOf, whenPrompt } from '../helpers/fake-anthropic.js';
import { params, post } from './support.js';

function recorded(body: unknown): RecordedRequest {
  return { n: 1, method: 'POST', path: '/v1/messages', headers: {}, body, receivedAt: 0 };
}

function ask(prompt: string) {
  return params({ messages: [{ role: 'user', content: prompt }] });
}

describe('promptOf', () => {
  it('reads the first user message, string or text blocks', () => {
    expect(promptOf(recorded(ask('hello')))).toBe('hello');
    const blocks = params({
      messages: [
        { role: 'assistant', content: 'ignored' },
        {
          role: 'user',
          content: [{ type: 'text', text: 'a' }, { type: 'image' }, { type: 'text', text: 'b' }],
        },
        { role: 'user', content: 'later' },
      ],
    });
    expect(promptOf(recorded(blocks))).toBe('ab');
  });

  it('gives an empty string for a body without messages', () => {
    expect(promptOf(recorded('not json'))).toBe('');
    expect(promptOf(recorded({ model: 'm' }))).toBe('');
  });
});

describe('failFirst', () => {
  it('faults the first n attempts of each distinct body, counting retries together', () => {
    const rule = failFirst(2, faults.overloaded());
    const kinds = [ask('a'), ask('b'), ask('a'), ask('a'), ask('b'), ask('b')].map(
      (body) => rule(recorded(body))?.kind ?? 'ok',
    );
    expect(kinds).toEqual(['api-error', 'api-error', 'api-error', 'ok', 'api-error', 'ok']);
  });
});

describe('whenPrompt and firstOf', () => {
  it('pick faults by prompt text and leave other prompts alone', () => {
    const rule = firstOf(
      whenPrompt('flaky', failFirst(1, faults.internalError())),
      whenPrompt(/^dead/, faults.hang()),
    );
    expect(rule(recorded(ask('a flaky one')))).toEqual(faults.internalError());
    expect(rule(recorded(ask('a flaky one')))).toBeUndefined();
    expect(rule(recorded(ask('dead end')))).toEqual(faults.hang());
    expect(rule(recorded(ask('not dead')))).toBeUndefined();
  });

  it('drive the real server: a retried request succeeds after its failures', async () => {
    const server = await startMockServer({ fault: whenPrompt('flaky', failFirst(2, faults.overloaded())) });
    try {
      const statuses: number[] = [];
      for (const prompt of ['flaky', 'flaky', 'steady', 'flaky']) {
        const res = await post(server.url, ask(prompt));
        await res.body.text();
        statuses.push(res.statusCode);
      }
      expect(statuses).toEqual([529, 529, 200, 200]);
      expect(server.stats.faults).toEqual({ 'api-error': 2 });
    } finally {
      await server.close();
    }
  });
});
