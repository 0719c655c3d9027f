/**
 * The top level of a Messages request body (PROTOCOL.md "Request body"): the required fields,
 * the known optional ones with their types, and nothing else. Unknown top-level keys are not
 * this schema's business: the object is loose, and validateParams lists them.
 */
import { z } from 'zod';
import { blockContent, cacheControl, stringOr, textBlockItem } from './schema-blocks.js';
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

const message = z.looseObject({ role: choice(['user', 'assistant']), content: blockContent }, OBJECT);

/**
 * The API's rule for a custom tool's name. It allowed 64 characters until mid-2025 and 128 since:
 * the longer limit is checked, so no name the API takes is refused.
 */
const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,128}$/;
const TOOL_NAME = expecting('1 to 128 of a-z A-Z 0-9 _ -');

const customTool = z.looseObject(
  {
    name: z.string(TOOL_NAME).regex(TOOL_NAME_PATTERN, TOOL_NAME),
    description: text().optional(),
    // The SDK requires `type: "object"`; the API's behaviour without a type is not documented,
    // so only a type that is there and is not "object" is refused.
    input_schema: z.looseObject({ type: constant('object').optional() }, OBJECT),
    cache_control: cacheControl,
  },
  OBJECT,
);

// Server tools (web search, code execution, ...) are versioned by `type` and change often:
// only the two fields every one of them has are checked.
const serverTool = z.looseObject({ type: text(), name: nonEmptyText() }, OBJECT);

/** A custom tool has no `type`, or `type: "custom"` (null in the SDK's types); any other is a server tool. */
function pickTool(value: unknown): Selection {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { fail: describeFailure('a tool object', value) };
  }
  const type = (value as { type?: unknown }).type;
  if (type === undefined || type === null || type === 'custom') return customTool;
  if (typeof type === 'string') return serverTool;
  return { fail: describeFailure('a string', type), path: ['type'] };
}

const PARALLEL = { disable_parallel_tool_use: z.boolean(expecting('a boolean')).optional() };
const toolChoices = new Map<string, z.ZodType>([
  ['auto', z.looseObject({ type: z.string(), ...PARALLEL }, OBJECT)],
  ['any', z.looseObject({ type: z.string(), ...PARALLEL }, OBJECT)],
  ['none', z.looseObject({ type: z.string() }, OBJECT)],
  ['tool', z.looseObject({ type: z.string(), name: nonEmptyText(), ...PARALLEL }, OBJECT)],
]);

const BUDGET = expecting('an integer >= 1024');
const thinkingTypes = new Map<string, z.ZodType>([
  ['enabled', z.looseObject({ type: z.string(), budget_tokens: z.int(BUDGET).min(1024, BUDGET) }, OBJECT)],
  ['disabled', z.looseObject({ type: z.string() }, OBJECT)],
  ['adaptive', z.looseObject({ type: z.string() }, OBJECT)],
]);

const POSITIVE = expecting('a positive integer');
const NON_NEGATIVE = expecting('a non-negative integer');
// Anthropic documents 0..1; some gateways (Serevix) document 0..2. The gateway is the judge:
// the local check only catches values no gateway takes.
const TEMPERATURE = expecting('a number from 0 to 2');
const UNIT = expecting('a number from 0 to 1');
const MESSAGES = expecting('a non-empty array of messages');

/** The known top-level fields; every one is optional except model, max_tokens and messages. */
const paramsShape = {
  model: nonEmptyText(),
  max_tokens: z.int(POSITIVE).min(1, POSITIVE),
  messages: z.array(message, MESSAGES).min(1, MESSAGES),
  system: stringOr(textBlockItem, 'a string or an array of text blocks').optional(),
  stop_sequences: z.array(text(), expecting('an array of strings')).optional(),
  stream: z.boolean(expecting('a boolean')).optional(),
  temperature: z.number(TEMPERATURE).min(0, TEMPERATURE).max(2, TEMPERATURE).optional(),
  top_p: z.number(UNIT).min(0, UNIT).max(1, UNIT).optional(),
  top_k: z.int(NON_NEGATIVE).min(0, NON_NEGATIVE).optional(),
  tools: z.array(select(pickTool), expecting('an array of tools')).optional(),
  tool_choice: select(
    byType(toolChoices, 'a tool_choice object', (type) => ({
      fail: describeFailure(oneOf([...toolChoices.keys()]), type),
      path: ['type'],
    })),
  ).optional(),
  metadata: z.looseObject({ user_id: text('a string or null').nullable().optional() }, OBJECT).optional(),
  // New thinking modes appear (the SDK already has `between_tools`): an unknown one is sent as is.
  thinking: select(
    byType(thinkingTypes, 'a thinking object', (type) => ({
      warn: `unknown thinking type ${JSON.stringify(type)}, sent as is`,
    })),
  ).optional(),
  service_tier: text().optional(),
};

/** The top-level fields lp-batch checks; any other key is passed through and reported. */
export const KNOWN_PARAMS: ReadonlySet<string> = new Set(Object.keys(paramsShape));

/** A Messages request body. Loose: unknown top-level keys pass through untouched. */
export const paramsSchema = z.looseObject(paramsShape, expecting('an object'));
