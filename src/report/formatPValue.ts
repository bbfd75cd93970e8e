// A p-value as the report prints it: three decimals, `<0.001` below that.

/** `0.003`, `0.250`, `1.000`, or `<0.001` for p < 0.001; '' for a missing or non-finite p. */
export function formatPValue(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '';
  if (p < 0.001) return '<0.001';
  return p.toFixed(3);
}
