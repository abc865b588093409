/**
 * Renders a received value for an Error message: numbers via String (so NaN stays NaN, unlike
 * JSON), everything else as JSON when possible.
 * @example describeValue(Number.NaN) // 'NaN'
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
