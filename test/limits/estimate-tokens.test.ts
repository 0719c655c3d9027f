import { describe, expect, it } from 'vitest';
import {
  estimateInputTokens,
  IMAGE_MAX_EDGE_PX,
  IMAGE_MAX_TOKENS,
  imageTokens,
  MESSAGE_OVERHEAD_TOKENS,
  PDF_PAGE_TOKENS,
  REQUEST_OVERHEAD_TOKENS,
  TOOL_PROMPT_TOKENS_ANY,
  TOOL_PROMPT_TOKENS_AUTO,
  textTokens,
  UNKNOWN_IMAGE_TOKENS,
} from '../../src/limits/estimate-tokens.js';
import { countPdfPagesFromBase64, PDF_BYTES_PER_PAGE_FALLBACK } from '../../src/limits/pdf-pages.js';
import type { MessageParams } from '../../src/types.js';
import { jpeg, png, toBase64 } from './images.js';

/** Fixed overhead of a request with one message. */
const ONE_MESSAGE = REQUEST_OVERHEAD_TOKENS + MESSAGE_OVERHEAD_TOKENS;

function request(content: unknown, extra: Partial<MessageParams> = {}): MessageParams {
  return { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content }], ...extra };
}

function imageBlock(data: string) {
  return { type: 'image', source: { type: 'base64', media_type: 'image/png', data } };
}

describe('estimateInputTokens', () => {
  it('counts ASCII text at 3.5 characters a token, rounding up once', () => {
    expect(estimateInputTokens(request('a'.repeat(350)))).toBe(ONE_MESSAGE + 100);
    expect(estimateInputTokens(request('a'.repeat(351)))).toBe(ONE_MESSAGE + 101);
    expect(estimateInputTokens(request([{ type: 'text', text: 'b'.repeat(700) }]))).toBe(ONE_MESSAGE + 200);
  });

  it('counts each non-ASCII character as a token, so CJK text is not undercounted', () => {
    expect(estimateInputTokens(request('漢字'.repeat(50)))).toBe(ONE_MESSAGE + 100);
    expect(textTokens('café')).toBeCloseTo(3 / 3.5 + 1);
  });

  it('adds the system prompt in either form and every message of the conversation', () => {
    const params: MessageParams = {
      model: 'm',
      max_tokens: 1,
      system: [{ type: 'text', text: 'x'.repeat(35) }],
      messages: [
        { role: 'user', content: 'y'.repeat(70) },
        { role: 'assistant', content: [{ type: 'text', text: 'z'.repeat(7) }] },
      ],
    };
    expect(estimateInputTokens(params)).toBe(
      REQUEST_OVERHEAD_TOKENS + 2 * MESSAGE_OVERHEAD_TOKENS + 10 + 20 + 2,
    );
    expect(estimateInputTokens({ ...params, system: 'x'.repeat(35) })).toBe(estimateInputTokens(params));
  });

  it('adds tool definitions and the tool-use system prompt for the tool_choice', () => {
    const tools = [
      { name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: {} } },
    ];
    const toolsJson = JSON.stringify(tools).length / 3.5;
    const withTools = (tool_choice?: unknown) =>
      estimateInputTokens(request('hi', tool_choice === undefined ? { tools } : { tools, tool_choice }));
    for (const choice of [undefined, { type: 'auto' }, { type: 'none' }]) {
      expect(withTools(choice)).toBe(Math.ceil(ONE_MESSAGE + 2 / 3.5 + toolsJson + TOOL_PROMPT_TOKENS_AUTO));
    }
    for (const choice of [{ type: 'any' }, { type: 'tool', name: 'get_weather' }]) {
      expect(withTools(choice) - withTools()).toBe(TOOL_PROMPT_TOKENS_ANY - TOOL_PROMPT_TOKENS_AUTO);
    }
    expect(estimateInputTokens(request('hi', { tools: [] }))).toBe(ONE_MESSAGE + 1);
  });

  it('counts an image by its area after fitting 1568 px on the long edge and 1600 tokens', () => {
    // The figures of Anthropic's vision guide: 200x200 ~54, 1000x1000 ~1334, 1092x1092 ~1590.
    expect(imageTokens(200, 200)).toBe(54);
    expect(imageTokens(1000, 1000)).toBe(1334);
    expect(imageTokens(1092, 1092)).toBe(1590);
    // 3136x400 fits 1568x200 on its long edge: 418 tokens, under the area cap.
    expect(imageTokens(3136, 400)).toBe(Math.ceil((IMAGE_MAX_EDGE_PX * 200) / 750));
    // 3136x1568 fits 1568x784 (1640 tokens' worth), then the area cap.
    expect(imageTokens(3136, 1568)).toBe(IMAGE_MAX_TOKENS);
    expect(estimateInputTokens(request([imageBlock(toBase64(png(200, 150)))]))).toBe(ONE_MESSAGE + 40);
    const photo = jpeg(4032, 3024, { exifBytes: 20_000 });
    const photoBlock = {
      type: 'image',
      source: { type: 'base64', media_type: 'image/jpeg', data: toBase64(photo) },
    };
    expect(estimateInputTokens(request([photoBlock]))).toBe(ONE_MESSAGE + IMAGE_MAX_TOKENS);
  });

  it('assumes 1600 tokens for an image whose size cannot be read', () => {
    const url = { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } };
    const file = { type: 'image', source: { type: 'file', file_id: 'file_1' } };
    const garbage = imageBlock(toBase64(new TextEncoder().encode('not an image')));
    expect(estimateInputTokens(request([url, file, garbage]))).toBe(ONE_MESSAGE + 3 * UNKNOWN_IMAGE_TOKENS);
  });

  it('counts documents: text at 3.5 chars, PDF pages at a fixed cost, unknown PDFs as one page', () => {
    const text = {
      type: 'document',
      source: { type: 'text', media_type: 'text/plain', data: 'd'.repeat(3500) },
    };
    expect(estimateInputTokens(request([text]))).toBe(ONE_MESSAGE + 1000);
    const pdf = Buffer.from(
      '%PDF-1.4\n1 0 obj << /Type /Pages /Kids [2 0 R 3 0 R 4 0 R] /Count 3 >> endobj\n' +
        '2 0 obj << /Type /Page >> endobj\n3 0 obj <</Type/Page/Parent 1 0 R>> endobj\n4 0 obj << /Type /Page >> endobj\n',
      'latin1',
    ).toString('base64');
    const base64 = { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: pdf } };
    expect(estimateInputTokens(request([base64]))).toBe(ONE_MESSAGE + 3 * PDF_PAGE_TOKENS);
    const url = { type: 'document', source: { type: 'url', url: 'https://example.com/a.pdf' } };
    expect(estimateInputTokens(request([url]))).toBe(ONE_MESSAGE + PDF_PAGE_TOKENS);
  });

  it('counts tool_use input, tool_result content with images, and thinking', () => {
    const content = [
      { type: 'thinking', thinking: 't'.repeat(35), signature: 'sig'.repeat(100) },
      { type: 'tool_use', id: 'toolu_1', name: 'abcdefg', input: { q: 'x' } },
    ];
    const toolUse = 7 / 3.5 + JSON.stringify({ q: 'x' }).length / 3.5;
    expect(estimateInputTokens(request(content))).toBe(Math.ceil(ONE_MESSAGE + 10 + toolUse));
    const result = {
      type: 'tool_result',
      tool_use_id: 'toolu_1',
      content: [
        { type: 'text', text: 'r'.repeat(70) },
        { type: 'image', source: { type: 'url', url: 'https://example.com/x.png' } },
      ],
    };
    expect(estimateInputTokens(request([result]))).toBe(ONE_MESSAGE + 20 + UNKNOWN_IMAGE_TOKENS);
  });

  it('counts thinking of the current turn only: the API drops earlier turns’ thinking', () => {
    const thinking = { type: 'thinking', thinking: 't'.repeat(350), signature: 's' };
    const redacted = { type: 'redacted_thinking', data: 'r'.repeat(100) };
    const answer = { type: 'text', text: 'a'.repeat(35) };
    const toolUse = { type: 'tool_use', id: 'toolu_1', name: 'f', input: {} };
    const toolResult = { type: 'tool_result', tool_use_id: 'toolu_1', content: 'r'.repeat(35) };
    const earlier: MessageParams = {
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'q'.repeat(35) },
        { role: 'assistant', content: [thinking, redacted, answer] },
        { role: 'user', content: 'q'.repeat(35) },
      ],
    };
    const overhead = REQUEST_OVERHEAD_TOKENS + 3 * MESSAGE_OVERHEAD_TOKENS;
    expect(estimateInputTokens(earlier)).toBe(overhead + 30);
    // In a tool loop the assistant turn with thinking is the current one: it counts.
    const loop: MessageParams = {
      ...earlier,
      messages: [
        { role: 'user', content: 'q'.repeat(35) },
        { role: 'assistant', content: [thinking, redacted, toolUse] },
        { role: 'user', content: [toolResult] },
      ],
    };
    const loopTokens =
      10 + 100 + JSON.stringify(redacted).length / 3.5 + (1 + JSON.stringify({}).length) / 3.5 + 10;
    expect(estimateInputTokens(loop)).toBe(Math.ceil(overhead + loopTokens));
  });

  it('counts a block type it does not know by its JSON text', () => {
    const block = { type: 'future_block', payload: 'p'.repeat(100) };
    expect(estimateInputTokens(request([block]))).toBe(
      ONE_MESSAGE + Math.ceil(JSON.stringify(block).length / 3.5),
    );
  });
});

describe('countPdfPagesFromBase64', () => {
  it('guesses from the size when page objects are compressed out of sight', () => {
    const opaque = Buffer.alloc(PDF_BYTES_PER_PAGE_FALLBACK * 2 + 1, 7).toString('base64');
    expect(countPdfPagesFromBase64(opaque)).toBe(3);
    expect(countPdfPagesFromBase64('')).toBe(1);
  });
});
