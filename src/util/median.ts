// The median of a list of numbers (the mean of the two middle values for an even count).
/**
 * Median of `values` (left unmodified): the middle value in ascending order, the mean of the two middle ones for
 * an even count; NaN when empty.
 */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
