/**
 * The README's table of the estimator's measured error is what the estimator gives today: each row's
 * estimate and the simulator's count are computed here, and Anthropic's counts are the figures its
 * documentation gives for the same requests (token counting guide, Claude Opus 4; vision guide).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { estimateInputTokens, imageTokens } from '../../src/limits/estimate-tokens.js';
import { countMockInputTokens } from '../../src/mock/tokens.js';
import type { MessageParams } from '../../src/types.js';
import { readmeTableAfter } from '../helpers/readme.js';

const ROOT = join(import.meta.dirname, '../..');
const IMAGES = join(ROOT, 'test/fixtures/images');

function ask(content: unknown, extra: Partial<MessageParams> = {}): MessageParams {
  return {
    model: 'claude-opus-4-20250514',
    max_tokens: 1024,
    messages: [{ role: 'user', content }],
    ...extra,
  };
}

function image(file: string, mediaType: string) {
  const data = readFileSync(join(IMAGES, file)).toString('base64');
  return { type: 'image', source: { type: 'base64', media_type: mediaType, data } };
}

const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Get the current weather in a given location',
  input_schema: {
    type: 'object',
    properties: { location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' } },
    required: ['location'],
  },
};

const THINKING: MessageParams = {
  model: 'claude-opus-4-20250514',
  max_tokens: 20_000,
  thinking: { type: 'enabled', budget_tokens: 16_000 },
  messages: [
    { role: 'user', content: 'Are there an infinite number of prime numbers such that n mod 4 == 3?' },
    {
      role: 'assistant',
      content: [
        {
          type: 'thinking',
          thinking: "This is a nice number theory question. Let's think about it step by step...",
          signature: 'EuYBCkQYAiJAgCs1le6/Pol5Z4/JMomVOouGrWdhYNsH3ukzUECbB6iWrSQtsQuRHJID6lWV...',
        },
        { type: 'text', text: 'Yes, there are infinitely many prime numbers p such that p mod 4 = 3...' },
      ],
    },
    { role: 'user', content: 'Can you write a formal proof?' },
  ],
};

/** Line 1 of `npm run bench`'s input (scripts/bench-util.js). */
const BENCH_LINE: MessageParams = {
  model: 'claude-haiku-4-5',
  max_tokens: 64,
  system: 'You are a concise assistant. Answer in at most two sentences.',
  messages: [
    {
      role: 'user',
      content: "Question 1: why does streaming a JSONL file line by line keep a batch runner's memory flat?",
    },
  ],
};

const PROSE =
  'Batch jobs are usually many requests that share a long prefix and differ in a short question. '.repeat(20);
const JSON_TEXT = JSON.stringify(
  Array.from({ length: 20 }, (_, i) => ({ id: i, name: `item-${i}`, tags: ['a', 'b'], price: i * 1.5 })),
);
const JAPANESE = '東京は日本の首都であり、世界で最も人口の多い都市圏の一つです。'.repeat(10);

/** One row: a request (or an image size alone), and Anthropic's count when its docs give one. */
interface Case {
  params?: MessageParams;
  image?: [number, number];
  anthropic: number | null;
}

/** Row labels as the README writes them, in its order. */
const CASES: ReadonlyMap<string, Case> = new Map([
  [
    '`system` "You are a scientist", "Hello, Claude"',
    { params: ask('Hello, Claude', { system: 'You are a scientist' }), anthropic: 14 },
  ],
  [
    'one tool (`get_weather`), one question',
    { params: ask("What's the weather like in San Francisco?", { tools: [WEATHER_TOOL] }), anthropic: 403 },
  ],
  ['thinking on, three turns (earlier thinking not counted)', { params: THINKING, anthropic: 88 }],
  [
    'a photo over 1.2 MP, "Describe this image"',
    {
      params: ask([
        image('plasma-2400x1600.jpg', 'image/jpeg'),
        { type: 'text', text: 'Describe this image' },
      ]),
      anthropic: 1551,
    },
  ],
  ['an image of 200x200 px, alone', { image: [200, 200], anthropic: 54 }],
  ['an image of 1000x1000 px, alone', { image: [1000, 1000], anthropic: 1334 }],
  ['an image of 1092x1092 px, alone', { image: [1092, 1092], anthropic: 1590 }],
  ["the bench's line: `system`, a short question", { params: BENCH_LINE, anthropic: null }],
  [
    `${PROSE.length.toLocaleString('en-US')} characters of English prose`,
    { params: ask(PROSE), anthropic: null },
  ],
  [
    `${JSON_TEXT.length.toLocaleString('en-US')} characters of JSON`,
    { params: ask(JSON_TEXT), anthropic: null },
  ],
  [`${JAPANESE.length} characters of Japanese`, { params: ask(JAPANESE), anthropic: null }],
  [
    'a 300x200 PNG, "Describe this image"',
    {
      params: ask([
        image('gradient-300x200.png', 'image/png'),
        { type: 'text', text: 'Describe this image' },
      ]),
      anthropic: null,
    },
  ],
]);

function int(n: number): string {
  return n.toLocaleString('en-US');
}

function error(estimate: number, reference: number): string {
  const percent = Math.round(((estimate - reference) / reference) * 100);
  return `${percent > 0 ? '+' : ''}${percent} %`;
}

/** The README's rows for the cases: request, estimate, Anthropic, error, simulator, error. */
function expectedRows(): string[][] {
  return [...CASES].map(([label, c]) => {
    const estimate = c.params ? estimateInputTokens(c.params) : imageTokens(...(c.image ?? [0, 0]));
    const simulator = c.params ? countMockInputTokens(c.params) : null;
    return [
      label,
      int(estimate),
      c.anthropic === null ? '—' : int(c.anthropic),
      c.anthropic === null ? '—' : error(estimate, c.anthropic),
      simulator === null ? '—' : int(simulator),
      simulator === null ? '—' : error(estimate, simulator),
    ];
  });
}

describe("the README's measured error of the estimator", () => {
  it('is what the estimator and the simulator give today', () => {
    expect(readmeTableAfter('#### Measured error')).toEqual(expectedRows());
  });
});
