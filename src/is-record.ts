/** Whether `value` is a plain JSON object (not null, not an array): what a parsed field must be to be read by name. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
