// Label fractions of the label-scarce study (METHOD §6): parsing, canonical labels, slugs, keys and the subsample.
import { UserError, check, invariant } from '../errors.js';
import type { Rng } from '../random/types.js';

/** A label fraction of the label-scarce study: its text (`"1%"`) and value (0.01). */
export interface LabelFraction {
  label: string;
  fraction: number;
}

/** All labels: the fraction of the finetune stage (plain cross-validation). */
export const ALL_LABELS: LabelFraction = { label: '100%', fraction: 1 };

const PERCENT = /^(\d+(?:\.\d+)?)%$/;

/**
 * Parses a label fraction like `"1%"`, `" 12.5% "` (surrounding whitespace is ignored) into its canonical form:
 * the label written without leading or trailing zeros (`"1.0%"` -> `"1%"`) and its value in (0, 1].
 */
export function labelFraction(text: string): LabelFraction {
  const m = PERCENT.exec(text.trim());
  const percent = m ? Number(m[1]) : Number.NaN;
  const fraction = percent / 100;
  if (!(fraction > 0 && fraction <= 1))
    throw new UserError(`parseLabelFraction: expected a percentage in (0%, 100%], got '${text}'`);
  const plain = String(percent);
  return { label: plain.includes('e') ? text.trim() : `${plain}%`, fraction };
}

/** The value of a label fraction like `"1%"` or `"12.5%"`, in (0, 1]. */
export function parseLabelFraction(text: string): number {
  return labelFraction(text).fraction;
}

/**
 * A fraction's key in parts per million: the identity of a fraction in random-stream keys and unit files
 * (1% and 100% differ; `"1%"` and `"1.0%"` are one fraction).
 */
export function fractionKey(fraction: number): number {
  return Math.round(fraction * 1_000_000);
}

/**
 * Parses label fractions (`["1%", "10%"]`), dropping duplicates (by {@link fractionKey}; the first spelling is kept,
 * canonical). `order`: `largest-first` (the stages' order, default) or `given` (the config's order, plan ids).
 */
export function parseLabelFractions(
  labels: readonly string[],
  order: 'largest-first' | 'given' = 'largest-first',
): LabelFraction[] {
  const seen = new Map<number, LabelFraction>();
  for (const l of labels) {
    const f = labelFraction(l);
    if (!seen.has(fractionKey(f.fraction))) seen.set(fractionKey(f.fraction), f);
  }
  const out = [...seen.values()];
  return order === 'given' ? out : out.sort((a, b) => b.fraction - a.fraction);
}

/** Sort comparator of label texts: largest fraction first. */
export function compareFractionLabels(a: string, b: string): number {
  return parseLabelFraction(b) - parseLabelFraction(a);
}

/** File-name and task-id form of a label fraction: `1%` -> `1pct`, `12.5%` -> `12_5pct` (whitespace trimmed). */
export function fractionSlug(label: string): string {
  return label.trim().replace('%', 'pct').replace('.', '_');
}

/** Windows that `fraction` of `n` labelled training windows keeps before the at-least-one-per-class rule. */
export function fractionKeeps(fraction: number, n: number): number {
  return Math.round(fraction * n);
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
  invariant(
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
