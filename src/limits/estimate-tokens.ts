/**
 * A conservative offline estimate of a request's input tokens, for ITPM pacing and the worst-case
 * cost under `--max-cost`. No exact offline tokenizer exists for current Claude models, so every
 * constant below errs towards more tokens; real usage corrects the ITPM charge after the response.
 */
import type { MessageParams } from '../types.js';
import { imageSizeFromBase64 } from './image-size.js';
import { countPdfPagesFromBase64 } from './pdf-pages.js';

/** ASCII characters per token. English prose runs ~3.5-4, code and JSON ~3; 3.5 per the API's own rule of thumb. */
export const ASCII_CHARS_PER_TOKEN = 3.5;
/** Each non-ASCII UTF-16 unit counts one token: CJK runs ~1 token a character, where chars/3.5 would undercount 3x. */
export const NON_ASCII_TOKENS_PER_UNIT = 1;
/** Role markers and turn separators around each message. */
export const MESSAGE_OVERHEAD_TOKENS = 4;
/** Fixed framing of any request (start of conversation, assistant turn prefix). */
export const REQUEST_OVERHEAD_TOKENS = 8;
/** An image whose size cannot be read (url, file, unknown format): about the largest usual image. */
export const UNKNOWN_IMAGE_TOKENS = 1600;
/** Images are downscaled to fit this many pixels on the long edge before they are counted. */
export const IMAGE_MAX_EDGE_PX = 1568;
/** Pixels per image token. */
export const IMAGE_PIXELS_PER_TOKEN = 750;
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
 * Estimate the input tokens of a Messages API request: system, messages and tools (with their
 * tool-use system prompt). Unknown block types count as their JSON text, so new API features are
 * over- rather than under-counted. Always a non-negative integer.
 */
export function estimateInputTokens(params: MessageParams): number {
  let tokens = REQUEST_OVERHEAD_TOKENS;
  if (params.system !== undefined) tokens += contentTokens(params.system);
  for (const message of params.messages) {
    tokens +=
      MESSAGE_OVERHEAD_TOKENS + (isRecord(message) ? contentTokens(message.content) : jsonTokens(message));
  }
  if (Array.isArray(params.tools) && params.tools.length > 0) {
    tokens += jsonTokens(params.tools) + toolPromptTokens(params.tool_choice);
  }
  return Math.ceil(tokens);
}

/** Tokens of an image of `width` x `height` px, after fitting {@link IMAGE_MAX_EDGE_PX} on the long edge. */
export function imageTokens(width: number, height: number): number {
  const scale = Math.min(1, IMAGE_MAX_EDGE_PX / Math.max(width, height));
  return Math.ceil((Math.round(width * scale) * Math.round(height * scale)) / IMAGE_PIXELS_PER_TOKEN);
}

/** Tokens of a text: ASCII at {@link ASCII_CHARS_PER_TOKEN}, every other UTF-16 unit as one token. Fractional. */
export function textTokens(text: string): number {
  let nonAscii = 0;
  for (let i = 0; i < text.length; i += 1) {
    if (text.charCodeAt(i) > 0x7f) nonAscii += 1;
  }
  return (text.length - nonAscii) / ASCII_CHARS_PER_TOKEN + nonAscii * NON_ASCII_TOKENS_PER_UNIT;
}

function toolPromptTokens(toolChoice: unknown): number {
  const type = isRecord(toolChoice) ? toolChoice.type : undefined;
  return type === 'any' || type === 'tool' ? TOOL_PROMPT_TOKENS_ANY : TOOL_PROMPT_TOKENS_AUTO;
}

/** A `content` or `system` value: a string, or an array of blocks. */
function contentTokens(content: unknown): number {
  if (typeof content === 'string') return textTokens(content);
  if (Array.isArray(content))
    return content.reduce((sum: number, block: unknown) => sum + blockTokens(block), 0);
  return jsonTokens(content);
}

function blockTokens(block: unknown): number {
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
      return block.content === undefined ? 0 : contentTokens(block.content);
    case 'thinking':
      return textTokens(stringOf(block.thinking));
    case 'search_result':
      return (
        textTokens(stringOf(block.title)) + textTokens(stringOf(block.source)) + contentTokens(block.content)
      );
    default:
      // redacted_thinking, web search results and whatever comes next: their JSON is an upper bound.
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
  if (source.type === 'content') return contentTokens(source.content);
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
