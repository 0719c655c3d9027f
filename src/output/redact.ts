/** Keeps secrets out of everything lp-batch writes: results, summaries, warnings, logs. */

const MASK = '[redacted]';

/** A function that replaces every occurrence of each secret in a text. Empty secrets are ignored. */
export function createRedactor(secrets: ReadonlyArray<string | undefined>): (text: string) => string {
  const live = secrets.filter((s): s is string => typeof s === 'string' && s.length > 0);
  if (live.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const secret of live) if (out.includes(secret)) out = out.replaceAll(secret, MASK);
    return out;
  };
}
