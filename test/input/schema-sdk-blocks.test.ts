import type Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { validateParams } from '../../src/input/schema.js';

type Block = Anthropic.ContentBlockParam;
type ToolResultItem = Exclude<NonNullable<Anthropic.ToolResultBlockParam['content']>, string>[number];

const PNG: Anthropic.Base64ImageSource = { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' };
const text: Anthropic.TextBlockParam = { type: 'text', text: 'a' };
const searchResult: Anthropic.SearchResultBlockParam = {
  type: 'search_result',
  source: 's',
  title: 't',
  content: [text],
};
const document: Anthropic.DocumentBlockParam = {
  type: 'document',
  source: { type: 'text', media_type: 'text/plain', data: 'a' },
};

/**
 * One valid block of every type of the SDK's `ContentBlockParam`, typed by the SDK itself: when
 * the SDK gains a block type, this stops compiling until lp-batch knows it too.
 */
const SDK_BLOCKS: { [T in Block['type']]: Extract<Block, { type: T }> } = {
  text,
  image: { type: 'image', source: PNG },
  document,
  search_result: searchResult,
  thinking: { type: 'thinking', thinking: 'hmm', signature: 'sig' },
  redacted_thinking: { type: 'redacted_thinking', data: 'abc' },
  tool_use: { type: 'tool_use', id: 'toolu_1', name: 'f', input: {} },
  tool_result: { type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' },
  server_tool_use: { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'q' } },
  web_search_tool_result: { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
  web_fetch_tool_result: {
    type: 'web_fetch_tool_result',
    tool_use_id: 'srvtoolu_2',
    content: { type: 'web_fetch_tool_result_error', error_code: 'url_too_long' },
  },
  code_execution_tool_result: {
    type: 'code_execution_tool_result',
    tool_use_id: 'srvtoolu_3',
    content: { type: 'code_execution_tool_result_error', error_code: 'unavailable' },
  },
  bash_code_execution_tool_result: {
    type: 'bash_code_execution_tool_result',
    tool_use_id: 'srvtoolu_4',
    content: { type: 'bash_code_execution_tool_result_error', error_code: 'unavailable' },
  },
  text_editor_code_execution_tool_result: {
    type: 'text_editor_code_execution_tool_result',
    tool_use_id: 'srvtoolu_5',
    content: { type: 'text_editor_code_execution_tool_result_error', error_code: 'file_not_found' },
  },
  tool_search_tool_result: {
    type: 'tool_search_tool_result',
    tool_use_id: 'srvtoolu_6',
    content: { type: 'tool_search_tool_result_error', error_code: 'unavailable' },
  },
  container_upload: { type: 'container_upload', file_id: 'file_1' },
};

/** The same for what a tool result may hold. */
const SDK_TOOL_RESULT_ITEMS: { [T in ToolResultItem['type']]: Extract<ToolResultItem, { type: T }> } = {
  text,
  image: { type: 'image', source: PNG },
  search_result: searchResult,
  document,
  tool_reference: { type: 'tool_reference', tool_name: 'f' },
  browser_state: { type: 'browser_state', tabs: [{ tab_id: 't1', title: 'T', url: 'https://x' }] },
};

function request(content: unknown[]) {
  return { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content }] };
}

describe("validateParams on the SDK's block types", () => {
  it.each(Object.entries(SDK_BLOCKS))('knows a %s block: no warning', (_type, block) => {
    const params = request([block]);
    expect(validateParams(params)).toEqual({ ok: true, params, unknownKeys: [], warnings: [] });
  });

  it.each(Object.entries(SDK_TOOL_RESULT_ITEMS))('knows a %s block inside a tool_result', (_type, item) => {
    const params = request([{ type: 'tool_result', tool_use_id: 'toolu_1', content: [item] }]);
    expect(validateParams(params)).toEqual({ ok: true, params, unknownKeys: [], warnings: [] });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['web_search_tool_result', { tool_use_id: 'srvtoolu_1' }, '.content: required'],
    [
      'code_execution_tool_result',
      { tool_use_id: '', content: {} },
      '.tool_use_id: expected a non-empty string, got ""',
    ],
    ['server_tool_use', { id: 'srvtoolu_1', name: 'web_search' }, '.input: required'],
    [
      'server_tool_use',
      { id: 'srvtoolu_1', name: 7, input: {} },
      '.name: expected a non-empty string, got 7',
    ],
    ['container_upload', {}, '.file_id: required'],
  ])('checks the fields every %s has', (type, fields, issue) => {
    const result = validateParams(request([{ type, ...fields }]));
    expect(result.ok ? result : result.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      `params.messages[0].content[0]${issue}`,
    ]);
  });

  it('passes the content of a server tool result through whatever its shape', () => {
    const content = { type: 'web_fetch_result', url: 'https://x', content: { future: [1, { deep: true }] } };
    const params = request([{ type: 'web_fetch_tool_result', tool_use_id: 'srvtoolu_1', content }]);
    expect(validateParams(params)).toEqual({ ok: true, params, unknownKeys: [], warnings: [] });
  });
});
