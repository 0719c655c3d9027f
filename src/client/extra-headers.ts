/**
 * Request headers of the user's own (`--header 'Name: value'`): `anthropic-beta`, a gateway's
 * routing or tracing headers. Never the key's headers (the key comes from the environment only)
 * nor those undici and lp-batch set for every request.
 */

/** Headers `--header` may not set, lower case, with the reason a person is told. */
const REFUSED: ReadonlyMap<string, string> = new Map([
  ...['x-api-key', 'authorization', 'proxy-authorization'].map(
    (name) => [name, 'it carries the API key, which is read from the environment only'] as const,
  ),
  ...[
    'host',
    'content-length',
    'content-type',
    'accept',
    'transfer-encoding',
    'connection',
    'keep-alive',
    'upgrade',
    'expect',
    'te',
    'trailer',
  ].map((name) => [name, 'lp-batch sets it for every request'] as const),
]);

/** An HTTP header name (RFC 9110 `token`). */
const NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export type ParsedHeader = { ok: true; name: string; value: string } | { ok: false; problem: string };

/**
 * One `Name: value` line. A problem never quotes the value (it may be a secret) and names the header
 * only once it is known to be a header name.
 */
export function parseHeaderLine(line: string): ParsedHeader {
  const colon = line.indexOf(':');
  const name = colon < 0 ? '' : line.slice(0, colon).trim();
  if (!NAME.test(name)) {
    return { ok: false, problem: 'expected `Name: value` (a header name, a colon, then its value)' };
  }
  const lower = name.toLowerCase();
  const refused = REFUSED.get(lower);
  if (refused !== undefined) return { ok: false, problem: `may not set \`${lower}\`: ${refused}` };
  const value = line.slice(colon + 1).trim();
  if (/[\r\n\0]/.test(value)) {
    return { ok: false, problem: `expected the value of \`${lower}\` on one line` };
  }
  return { ok: true, name: lower, value };
}

/**
 * The headers of `lines`, names in lower case; a name given twice gets both values, joined by `, `
 * as HTTP joins a list (`anthropic-beta: a, b`).
 * @throws Error for a line parseHeaderLine refuses: options are checked before (see ../options/define.ts).
 */
export function extraHeaders(lines: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const parsed = parseHeaderLine(line);
    if (!parsed.ok) throw new Error(`extraHeaders: an unchecked --header: ${parsed.problem}`);
    const earlier = headers[parsed.name];
    headers[parsed.name] = earlier === undefined ? parsed.value : `${earlier}, ${parsed.value}`;
  }
  return headers;
}
