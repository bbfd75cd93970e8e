import { UserError, check } from '../errors.js';
import type { Rng } from '../random/types.js';

/** Parses a label fraction like `"1%"` or `"12.5%"` into (0, 1]. */
export function parseLabelFraction(text: string): number {
  const m = /^(\d+(?:\.\d+)?)%$/.exec(text.trim());
  const value = m ? Number(m[1]) / 100 : Number.NaN;
  if (!(value > 0 && value <= 1))
    throw new UserError(`parseLabelFraction: expected a percentage in (0%, 100%], got '${text}'`);
  return value;
}

/**
 * Keeps `fraction` of the labelled training windows, stratified by class (METHOD §6, label-scarce study): each class
 * keeps round(fraction x its size) windows, at least one, drawn with `rng`. Throws a UserError when a class of
 * `numClasses` has no window. Returns indices (a subset of `indices`), ascending.
 */
export function subsampleLabels(
  indices: readonly number[],
  labels: readonly number[],
  fraction: number,
  numClasses: number,
  rng: Rng,
): number[] {
  check(fraction > 0 && fraction <= 1, 'subsampleLabels', `fraction must be in (0, 1], got ${fraction}`);
  check(
    indices.length === labels.length,
    'subsampleLabels',
    `${indices.length} indices for ${labels.length} labels`,
  );
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  labels.forEach((y, k) => byClass[y]?.push(indices[k]!));
  const kept: number[] = [];
  byClass.forEach((members, c) => {
    if (members.length === 0)
      throw new UserError(
        `subsampleLabels: class ${c} has no labelled training window (fraction ${fraction * 100}%)`,
      );
    const keep = Math.max(1, Math.round(fraction * members.length));
    for (const j of rng.sample(members.length, keep)) kept.push(members[j]!);
  });
  return kept.sort((a, b) => a - b);
}
