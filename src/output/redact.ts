/** Keeps secrets out of everything lp-batch writes: results, summaries, warnings, logs. */

const MASK = '[redacted]';

/** A JSON escape: `\uXXXX` or one of `\" \\ \/ \b \f \n \r \t`. */
const JSON_ESCAPE = /\\(?:u([0-9a-fA-F]{4})|(["\\/bfnrt]))/g;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/**
 * How deep escapes are undone: a body quoted in a message is JSON inside JSON at most twice over
 * (a tool input inside a stream event, quoted again), so `\\u0073` must still read `s`.
 */
const DECODE_PASSES = 3;

/**
 * A function that replaces every occurrence of each secret in a text, also where the text writes it
 * with JSON escapes (`\u0073k-...`, even escaped twice): such a text comes back decoded, then masked;
 * a text that holds no secret comes back as it was. Empty secrets are ignored.
 */
export function createRedactor(secrets: ReadonlyArray<string | undefined>): (text: string) => string {
  const live = secrets.filter((s): s is string => typeof s === 'string' && s.length > 0);
  if (live.length === 0) return (text) => text;
  const holdsSecret = (text: string) => live.some((secret) => text.includes(secret));
  const mask = (text: string) => {
    let out = text;
    for (const secret of live) if (out.includes(secret)) out = out.replaceAll(secret, MASK);
    return out;
  };
  return (text) => {
    let redacted = mask(text);
    let current = text;
    for (let pass = 0; pass < DECODE_PASSES && current.includes('\\'); pass++) {
      const decoded = decodeJsonEscapes(current);
      if (decoded === current) break;
      current = decoded;
      // Decoding never breaks a secret already in plain text, so the deepest level that shows
      // one, masked, hides them all.
      if (holdsSecret(current)) redacted = mask(current);
    }
    return redacted;
  };
}

function decodeJsonEscapes(text: string): string {
  return text.replace(JSON_ESCAPE, (_, hex: string | undefined, simple: string | undefined) =>
    hex === undefined ? (SIMPLE_ESCAPES[simple ?? ''] ?? '') : String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

/**
 * `value` with `redact` applied to every string in it, keys included: a server's whole answer (a
 * message a gateway may have echoed the key into). Unchanged parts are the same objects, and a value
 * that holds no secret comes back as it was, allocating nothing.
 */
export function redactDeep<T>(value: T, redact: (text: string) => string): T {
  return redactValue(value, redact) as T;
}

function redactValue(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === 'string') return redact(value);
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const redacted = redactValue(item, redact);
      if (redacted !== item) (out ??= value.slice())[i] = redacted;
    }
    return out ?? value;
  }
  let out: Record<string, unknown> | null = null;
  for (const [key, item] of Object.entries(value)) {
    const redactedKey = redact(key);
    const redacted = redactValue(item, redact);
    if (redactedKey === key && redacted === item) continue;
    out ??= { ...value };
    if (redactedKey !== key) delete out[key];
    out[redactedKey] = redacted;
  }
  return out ?? value;
}
