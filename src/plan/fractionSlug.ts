import { parseLabelFraction } from '../training/labelFraction.js';

/** Task-id form of a label fraction: `1%` -> `1pct`, `12.5%` -> `12_5pct`. */
export function fractionSlug(label: string): string {
  return label.trim().replace('%', 'pct').replace('.', '_');
}

/** The config's label fractions as evaluate units use them: duplicates (by value) dropped, config order kept. */
export function uniqueFractions(labels: readonly string[]): string[] {
  const seen = new Set<number>();
  const out: string[] = [];
  for (const l of labels) {
    const v = parseLabelFraction(l);
    if (seen.has(v)) continue;
    seen.add(v);
    out.push(l.trim());
  }
  return out;
}
