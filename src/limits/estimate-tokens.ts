/**
 * The one offline estimate of a request's input tokens: ITPM pacing, the worst case held under
 * `--max-cost`, and `lp-batch estimate` all use it. No exact offline tokenizer exists for current
 * Claude models, so every constant below errs towards more tokens (the README gives the measured
 * error); real usage corrects the ITPM charge after the response.
 */
import type { MessageParams } from '../types.js';
import { imageSizeFromBase64 } from './image-size.js';
import { countPdfPagesFromBase64 } from './pdf-pages.js';
import { isRecord } from '../is-record.js';

/** ASCII characters per token. English prose runs ~3.5-4, code and JSON ~3; 3.5 per the API's own rule of thumb. */
export const ASCII_CHARS_PER_TOKEN = 3.5;
/** Each non-ASCII UTF-16 unit counts one token: CJK runs ~1 token a character, where chars/3.5 would undercount 3x. */
export const NON_ASCII_TOKENS_PER_UNIT = 1;
/** Role markers and turn separators around each message. */
export const MESSAGE_OVERHEAD_TOKENS = 4;
/** Fixed framing of any request (start of conversation, assistant turn prefix). */
export const REQUEST_OVERHEAD_TOKENS = 8;
/** Images are downscaled to fit this many pixels on the long edge before they are counted. */
export const IMAGE_MAX_EDGE_PX = 1568;
/** Pixels per image token. */
export const IMAGE_PIXELS_PER_TOKEN = 750;
/**
 * ...and to about this many tokens (~1.2 megapixels): "more than ~1,600 tokens" is downscaled, by
 * Anthropic's vision guide. So no image counts more.
 */
export const IMAGE_MAX_TOKENS = 1600;
/** An image whose size cannot be read (url, file, unknown format): the most any image counts. */
export const UNKNOWN_IMAGE_TOKENS = IMAGE_MAX_TOKENS;
/** Tool-use system prompt added when tools are given with `tool_choice` auto (or absent) or none. */
export const TOOL_PROMPT_TOKENS_AUTO = 346;
/** Tool-use system prompt with `tool_choice` any or tool. */
export const TOOL_PROMPT_TOKENS_ANY = 313;
/**
 * Tokens per PDF page. Each page is sent as its text (1,500-3,000 tokens by Anthropic's guide) and
 * as an image; 3,000 takes the top of the text range and assumes the image is no larger again.
 */
export const PDF_PAGE_TOKENS = 3000;
/** Pages assumed for a PDF given by url or file id, whose size cannot be known offline. */
export const UNKNOWN_PDF_PAGES = 1;

/**
 * Estimate the input tokens of a Messages API request, everything that is billed: system, every
 * block of every message (thinking blocks only in the current turn: the API drops those of earlier
 * turns), tools with their tool-use system prompt, images from their pixel size, documents by page.
 * Unknown block types count as their JSON text, so new API features are over- rather than
 * under-counted. Always a non-negative integer.
 */
export function estimateInputTokens(params: MessageParams): number {
  let tokens = REQUEST_OVERHEAD_TOKENS;
  if (params.system !== undefined) tokens += contentTokens(params.system, true);
  const { messages } = params;
  const turn = currentTurnStart(messages);
  for (let i = 0; i < messages.length; i += 1) {
    const message = messages[i];
    tokens +=
      MESSAGE_OVERHEAD_TOKENS +
      (isRecord(message) ? contentTokens(message.content, i >= turn) : jsonTokens(message));
  }
  if (Array.isArray(params.tools) && params.tools.length > 0) {
    tokens += jsonTokens(params.tools) + toolPromptTokens(params.tool_choice);
  }
  return Math.ceil(tokens);
}

/**
 * Tokens of an image of `width` x `height` px, after fitting {@link IMAGE_MAX_EDGE_PX} on the long
 * edge and at most {@link IMAGE_MAX_TOKENS}.
 */
export function imageTokens(width: number, height: number): number {
  const scale = Math.min(1, IMAGE_MAX_EDGE_PX / Math.max(width, height));
  const pixels = Math.round(width * scale) * Math.round(height * scale);
  return Math.min(IMAGE_MAX_TOKENS, Math.ceil(pixels / IMAGE_PIXELS_PER_TOKEN));
}

/** Anything but printable ASCII and tabs and newlines (control characters too: the loop below sorts them out). */
const NON_ASCII = /[^\t\n\r\x20-\x7e]/;

/** Tokens of a text: ASCII at {@link ASCII_CHARS_PER_TOKEN}, every other UTF-16 unit as one token. Fractional. */
export function textTokens(text: string): number {
  // Most text is ASCII: one native scan instead of a loop over every character.
  if (!NON_ASCII.test(text)) return text.length / ASCII_CHARS_PER_TOKEN;
  let nonAscii = 0;
  for (let i = 0; i < text.length; i += 1) {
    if (text.charCodeAt(i) > 0x7f) nonAscii += 1;
  }
  return (text.length - nonAscii) / ASCII_CHARS_PER_TOKEN + nonAscii * NON_ASCII_TOKENS_PER_UNIT;
}

/**
 * One block of a prompt as {@link estimateInputTokens} counts it: a system or message content
 * block (thinking counted), for the cacheable prefixes of src/cache/prompt-prefixes.ts. Fractional.
 */
export function estimateBlockTokens(block: unknown): number {
  return blockTokens(block, true);
}

/** The tool-use system prompt that comes with `tools`, by `tool_choice`. */
export function toolPromptTokens(toolChoice: unknown): number {
  const type = isRecord(toolChoice) ? toolChoice.type : undefined;
  return type === 'any' || type === 'tool' ? TOOL_PROMPT_TOKENS_ANY : TOOL_PROMPT_TOKENS_AUTO;
}

/**
 * Where the current turn starts: the last user message that is not only tool results (a tool loop
 * stays in one turn). Thinking blocks before it belong to earlier turns and are not counted.
 */
function currentTurnStart(messages: readonly unknown[]): number {
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    const message = messages[i];
    if (!isRecord(message) || message.role !== 'user') continue;
    const { content } = message;
    if (
      !Array.isArray(content) ||
      content.some((block) => !isRecord(block) || block.type !== 'tool_result')
    ) {
      return i;
    }
  }
  return 0;
}

/**
 * A `content` or `system` value: a string, or an array of blocks. `thinkingCounts`: whether its
 * thinking blocks are of the current turn.
 */
function contentTokens(content: unknown, thinkingCounts: boolean): number {
  if (typeof content === 'string') return textTokens(content);
  if (!Array.isArray(content)) return jsonTokens(content);
  let tokens = 0;
  for (const block of content) tokens += blockTokens(block, thinkingCounts);
  return tokens;
}

function blockTokens(block: unknown, thinkingCounts: boolean): number {
  if (!isRecord(block)) return jsonTokens(block);
  switch (block.type) {
    case 'text':
      return textTokens(stringOf(block.text));
    case 'image':
      return imageSourceTokens(block.source);
    case 'document':
      return (
        textTokens(stringOf(block.title)) + textTokens(stringOf(block.context)) + documentTokens(block.source)
      );
    case 'tool_use':
    case 'server_tool_use':
      return textTokens(stringOf(block.name)) + jsonTokens(block.input);
    case 'tool_result':
      return block.content === undefined ? 0 : contentTokens(block.content, thinkingCounts);
    case 'thinking':
      return thinkingCounts ? textTokens(stringOf(block.thinking)) : 0;
    case 'redacted_thinking':
      return thinkingCounts ? jsonTokens(block) : 0;
    case 'search_result':
      return (
        textTokens(stringOf(block.title)) +
        textTokens(stringOf(block.source)) +
        contentTokens(block.content, thinkingCounts)
      );
    default:
      // Web search results and whatever comes next: their JSON is an upper bound.
      return jsonTokens(block);
  }
}

function imageSourceTokens(source: unknown): number {
  if (isRecord(source) && source.type === 'base64' && typeof source.data === 'string') {
    const size = imageSizeFromBase64(source.data);
    if (size !== null) return imageTokens(size.width, size.height);
  }
  return UNKNOWN_IMAGE_TOKENS;
}

function documentTokens(source: unknown): number {
  if (!isRecord(source)) return UNKNOWN_PDF_PAGES * PDF_PAGE_TOKENS;
  if (source.type === 'text') return textTokens(stringOf(source.data));
  if (source.type === 'content') return contentTokens(source.content, true);
  if (source.type === 'base64' && typeof source.data === 'string') {
    return countPdfPagesFromBase64(source.data) * PDF_PAGE_TOKENS;
  }
  return UNKNOWN_PDF_PAGES * PDF_PAGE_TOKENS;
}

function jsonTokens(value: unknown): number {
  return textTokens(JSON.stringify(value) ?? '');
}

function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
