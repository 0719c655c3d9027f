/**
 * A span of time as a person writes it on a command line (`--deadline 2h`): seconds as a number, or
 * amounts with units, `90s`, `45m`, `1h30m`, `1.5h`, `1d`. Pure.
 */

/** Units of a duration, in seconds. */
const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * Seconds of a duration (`90`, `90s`, `1h30m`, `1.5h`), or null when it is none or not above 0.
 */
export function durationSeconds(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : null;
  if (typeof value !== 'string') return null;
  const text = value.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(text)) return durationSeconds(Number(text));
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(text)) return null;
  let seconds = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) {
    seconds += Number(amount) * (DURATION_UNITS[unit ?? 's'] ?? 1);
  }
  return seconds > 0 ? seconds : null;
}
