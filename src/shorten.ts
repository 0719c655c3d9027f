/**
 * The one way lp-batch quotes something in a message: enough to recognise it, never a whole
 * response body or a 2 MB base64 image. Text is quoted as it is, any other value as JSON.
 */

const ELLIPSIS = '...';

/** `text` cut to `max` characters, with `...` when something was cut. */
export function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}${ELLIPSIS}` : text;
}

/**
 * `value` as JSON (strings quoted), cut to about `max` characters; `nothing` for undefined. The
 * encoding stops as soon as enough is written, so a block holding a 2 MB string is never copied whole;
 * except with `redact` (for what a server sent), which sees the whole encoding before it is cut, so
 * that no secret is half-kept.
 */
export function showValue(value: unknown, max = 60, redact?: (text: string) => string): string {
  if (redact) return shorten(redact(showValue(value, Number.POSITIVE_INFINITY)), max);
  if (value === undefined) return 'nothing';
  let out = '';
  const full = () => out.length > max;
  const visit = (item: unknown): void => {
    // Checked on the way in as well: each level of `[[[...]]]` adds one character, so a value
    // nested 100,000 deep is cut after about `max` levels instead of overflowing the stack.
    if (full()) return;
    if (typeof item === 'string') {
      out += JSON.stringify(item.slice(0, max + 1 - out.length));
    } else if (Array.isArray(item)) {
      out += '[';
      item.some((element, index) => {
        out += index === 0 ? '' : ',';
        visit(element);
        return full();
      });
      out += ']';
    } else if (typeof item === 'object' && item !== null) {
      out += '{';
      Object.entries(item).some(([key, field], index) => {
        out += `${index === 0 ? '' : ','}${JSON.stringify(key)}:`;
        visit(field);
        return full();
      });
      out += '}';
    } else if (typeof item === 'number' && !Number.isFinite(item)) {
      // JSON.parse reads 1e400 as Infinity, which JSON.stringify would show as null.
      out += item > 0 ? 'a number too large' : 'a negative number too large';
    } else {
      // As JSON has it: undefined and functions inside a value are null; a bigint would throw.
      out += typeof item === 'bigint' ? String(item) : (JSON.stringify(item) ?? 'null');
    }
  };
  visit(value);
  return shorten(out, max);
}

/** `1 request`, `2 requests`: a count with its noun, for messages. */
export function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
