/** The estimate's fixture: text, a system prompt, tools, a real PNG and a real JPEG, a bad line, an unpriced model. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const IMAGES = join(import.meta.dirname, '../fixtures/images');
const HAIKU = 'claude-haiku-4-5';

function imageBlock(file: string, mediaType: string) {
  const data = readFileSync(join(IMAGES, file)).toString('base64');
  return { type: 'image', source: { type: 'base64', media_type: mediaType, data } };
}

const TOOLS = [
  {
    name: 'get_weather',
    description: 'Get the weather for a city',
    input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
];

/** The lines, each with its input tokens worked out by hand from the estimator's published rules. */
export const FIXTURE_LINES: { line: unknown; inputTokens: number | null }[] = [
  {
    // 8 (request) + 4 (message) + 70 / 3.5
    line: {
      custom_id: 'text',
      params: { model: HAIKU, max_tokens: 100, messages: [{ role: 'user', content: 'a'.repeat(70) }] },
    },
    inputTokens: 32,
  },
  {
    // 8 + system 35 / 3.5 + 4 + 35 / 3.5 + the tools' 160 characters of JSON / 3.5 + 346 (tool-use prompt): 423.7
    line: {
      custom_id: 'tools',
      params: {
        model: HAIKU,
        max_tokens: 200,
        system: 'b'.repeat(35),
        tools: TOOLS,
        messages: [{ role: 'user', content: 'c'.repeat(35) }],
      },
    },
    inputTokens: 424,
  },
  {
    // 8 + 4 + a 300x200 PNG (60,000 px / 750 = 80) + "Describe" (8 / 3.5): 94.3
    line: {
      custom_id: 'png',
      params: {
        model: HAIKU,
        max_tokens: 50,
        messages: [
          {
            role: 'user',
            content: [imageBlock('gradient-300x200.png', 'image/png'), { type: 'text', text: 'Describe' }],
          },
        ],
      },
    },
    inputTokens: 95,
  },
  {
    // 8 + 4 + a 2400x1600 JPEG (fits 1568x1045 on its long edge, then the 1,600-token cap) + 7 / 3.5
    line: {
      custom_id: 'jpeg',
      params: {
        model: HAIKU,
        max_tokens: 50,
        messages: [
          {
            role: 'user',
            content: [
              imageBlock('plasma-2400x1600.jpg', 'image/jpeg'),
              { type: 'text', text: 'x'.repeat(7) },
            ],
          },
        ],
      },
    },
    inputTokens: 1614,
  },
  {
    line: {
      custom_id: 'bad',
      params: { model: HAIKU, max_tokens: '64', messages: [{ role: 'user', content: 'hi' }] },
    },
    inputTokens: null,
  },
  {
    // 8 + 4 + 14 / 3.5
    line: {
      custom_id: 'unpriced',
      params: { model: 'my-model', max_tokens: 10, messages: [{ role: 'user', content: 'd'.repeat(14) }] },
    },
    inputTokens: 16,
  },
];

/** Writes the fixture to `dir/name`; returns its path. */
export function writeFixture(dir: string, name = 'in.jsonl'): string {
  const path = join(dir, name);
  writeFileSync(path, `${FIXTURE_LINES.map(({ line }) => JSON.stringify(line)).join('\n')}\n`);
  return path;
}
