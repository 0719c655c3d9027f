/**
 * The input content blocks of a Messages request: every type of the official SDK's
 * `ContentBlockParam` (PROTOCOL.md "Request body"). Objects are loose: fields lp-batch does not
 * know pass through. A block of an unknown `type` passes with a warning, because the API adds
 * block types more often than lp-batch is released.
 */
import { z } from 'zod';
import {
  byType,
  choice,
  constant,
  describeFailure,
  expecting,
  nonEmptyText,
  oneOf,
  type Selection,
  select,
  text,
} from './schema-kit.js';

const OBJECT = expecting('an object');
const ANY = z.unknown();

/** Any JSON value but nothing: for fields whose shape the API owns and changes (server tool results). */
const present = select((value) => (value === undefined ? { fail: 'required' } : ANY));

/** `cache_control: {type: "ephemeral", ttl?: "5m" | "1h"}`; the SDK also allows null. */
export const cacheControl = z
  .looseObject({ type: constant('ephemeral'), ttl: choice(['5m', '1h']).optional() }, OBJECT)
  .nullable()
  .optional();

const IMAGE_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;

// The data is checked to be a string and no more: scanning megabytes of base64 on every
// request would cost more than the 400 the server answers for the rare broken one.
const imageSources = new Map<string, z.ZodType>([
  [
    'base64',
    z.looseObject({ type: z.string(), media_type: choice(IMAGE_MEDIA_TYPES), data: text() }, OBJECT),
  ],
  ['url', z.looseObject({ type: z.string(), url: text() }, OBJECT)],
  ['file', z.looseObject({ type: z.string(), file_id: text() }, OBJECT)],
]);

/** Fail a value whose `type` is not one `schemas` knows, naming the ones it does. */
function unknownTypeOf(schemas: ReadonlyMap<string, z.ZodType>): (type: string) => Selection {
  return (type) => ({ fail: describeFailure(oneOf([...schemas.keys()]), type), path: ['type'] });
}

const imageSource = select(byType(imageSources, 'an image source object', unknownTypeOf(imageSources)));

const textBlock = z.looseObject(
  {
    type: z.string(),
    text: nonEmptyText(),
    cache_control: cacheControl,
    citations: z.array(z.unknown(), expecting('an array of citations')).nullable().optional(),
  },
  OBJECT,
);

const imageBlock = z.looseObject(
  { type: z.string(), source: imageSource, cache_control: cacheControl },
  OBJECT,
);

/** A block that must be a text block: the items of `system` and `search_result.content`. */
export const textBlockItem = select((value) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { fail: describeFailure('a text block', value) };
  }
  const type = (value as { type?: unknown }).type;
  return type === 'text' ? textBlock : { fail: describeFailure('"text"', type), path: ['type'] };
});

/** A string, or an array whose items `items` checks; `what` names the whole for messages. */
export function stringOr(items: z.ZodType, what: string): z.ZodType {
  const array = z.array(items, expecting(what));
  const string = z.string();
  return select((value) =>
    typeof value === 'string'
      ? string
      : Array.isArray(value)
        ? array
        : { fail: describeFailure(what, value) },
  );
}

const documentContentItems = new Map<string, z.ZodType>([
  ['text', textBlock],
  ['image', imageBlock],
]);

const documentSources = new Map<string, z.ZodType>([
  [
    'base64',
    z.looseObject({ type: z.string(), media_type: constant('application/pdf'), data: text() }, OBJECT),
  ],
  ['text', z.looseObject({ type: z.string(), media_type: constant('text/plain'), data: text() }, OBJECT)],
  ['url', z.looseObject({ type: z.string(), url: text() }, OBJECT)],
  [
    'content',
    z.looseObject(
      {
        type: z.string(),
        content: stringOr(
          select(byType(documentContentItems, 'a text or image block', unknownTypeOf(documentContentItems))),
          'a string or an array of text and image blocks',
        ),
      },
      OBJECT,
    ),
  ],
  ['file', z.looseObject({ type: z.string(), file_id: text() }, OBJECT)],
]);

const nullableText = text('a string or null').nullable().optional();

const documentBlock = z.looseObject(
  {
    type: z.string(),
    source: select(byType(documentSources, 'a document source object', unknownTypeOf(documentSources))),
    title: nullableText,
    context: nullableText,
    citations: z.looseObject({}, expecting('an object or null')).nullable().optional(),
    cache_control: cacheControl,
  },
  OBJECT,
);

const searchResultBlock = z.looseObject(
  {
    type: z.string(),
    source: text(),
    title: text(),
    content: z.array(textBlockItem, expecting('an array of text blocks')),
    citations: z.looseObject({}, OBJECT).optional(),
    cache_control: cacheControl,
  },
  OBJECT,
);

const toolUseBlock = z.looseObject(
  {
    type: z.string(),
    id: nonEmptyText(),
    name: nonEmptyText(),
    input: z.looseObject({}, OBJECT),
    cache_control: cacheControl,
  },
  OBJECT,
);

const thinkingBlock = z.looseObject({ type: z.string(), thinking: text(), signature: text() }, OBJECT);

const redactedThinkingBlock = z.looseObject({ type: z.string(), data: text() }, OBJECT);

/** A server tool's call, as the API returned it (web search, code execution, ...). */
const serverToolUseBlock = z.looseObject(
  { type: z.string(), id: nonEmptyText(), name: nonEmptyText(), input: present, cache_control: cacheControl },
  OBJECT,
);

// The results of server tools are versioned by `type` and their `content` changes shape often:
// only the fields every one of them has are checked.
const serverToolResultBlock = z.looseObject(
  { type: z.string(), tool_use_id: nonEmptyText(), content: present, cache_control: cacheControl },
  OBJECT,
);

const SERVER_TOOL_RESULTS = [
  'web_search_tool_result',
  'web_fetch_tool_result',
  'code_execution_tool_result',
  'bash_code_execution_tool_result',
  'text_editor_code_execution_tool_result',
  'tool_search_tool_result',
] as const;

const containerUploadBlock = z.looseObject(
  { type: z.string(), file_id: nonEmptyText(), cache_control: cacheControl },
  OBJECT,
);

/** What a tool result may hold besides text (the SDK's `ToolResultBlockParam.content`). */
const toolResultItems = new Map<string, z.ZodType>([
  ['text', textBlock],
  ['image', imageBlock],
  ['search_result', searchResultBlock],
  ['document', documentBlock],
  [
    'tool_reference',
    z.looseObject({ type: z.string(), tool_name: nonEmptyText(), cache_control: cacheControl }, OBJECT),
  ],
  [
    'browser_state',
    z.looseObject(
      { type: z.string(), tabs: z.array(z.unknown(), expecting('an array')), cache_control: cacheControl },
      OBJECT,
    ),
  ],
]);

// A tool result does not nest blocks that nest blocks: the schema never recurses, so no request,
// however deep, can overflow the stack here.
const toolResultBlock = z.looseObject(
  {
    type: z.string(),
    tool_use_id: nonEmptyText(),
    content: stringOr(
      select(
        byType(toolResultItems, 'a content block object', (type) => ({
          warn: `block type ${JSON.stringify(type)} is not known inside a tool_result, sent as is`,
        })),
      ),
      'a string or an array of content blocks',
    ).optional(),
    is_error: z.boolean(expecting('a boolean')).optional(),
    cache_control: cacheControl,
  },
  OBJECT,
);

/** Every input block type lp-batch knows, by `type`. */
const blockSchemas = new Map<string, z.ZodType>([
  ['text', textBlock],
  ['image', imageBlock],
  ['document', documentBlock],
  ['search_result', searchResultBlock],
  ['tool_use', toolUseBlock],
  ['tool_result', toolResultBlock],
  ['thinking', thinkingBlock],
  ['redacted_thinking', redactedThinkingBlock],
  ['server_tool_use', serverToolUseBlock],
  ...SERVER_TOOL_RESULTS.map((type): [string, z.ZodType] => [type, serverToolResultBlock]),
  ['container_upload', containerUploadBlock],
]);

/** One input content block; an unknown `type` passes with a warning. */
export const inputBlock = select(
  byType(blockSchemas, 'a content block object', (type) => ({
    warn: `unknown block type ${JSON.stringify(type)}, sent as is`,
  })),
);

/** `content` of a message: a string or an array of blocks. */
export const blockContent = stringOr(inputBlock, 'a string or an array of content blocks');
