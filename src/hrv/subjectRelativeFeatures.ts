// Each window's HRV features also relative to its subject's mean over all of that subject's windows.
import { InternalError } from '../errors.js';
import { HRV_FEATURE_NAMES, type HrvFeatures, type HrvWindowFeatures } from './hrvFeatures.js';

/** A window's features and the same features minus its subject's mean, or the reason it has none. */
export type HrvRelativeWindowFeatures =
  { ok: true; features: HrvFeatures; relative: HrvFeatures } | { ok: false; reason: string };

/**
 * Subject-relative HRV (unlabelled statistics, like the per-subject z-score of METHOD §1): for each subject, the
 * mean of every feature over that subject's windows that have features (labels are not used), and for each window
 * `relative = feature - subject mean`. A difference, not a ratio: pNN50 (and, on short windows, RMSSD) can average
 * 0 over a subject, where a ratio has no value; a difference is always defined and keeps the feature's unit.
 * `subjects[i]` names the subject of `windows[i]`. Windows without features keep their reason.
 */
export function subjectRelativeFeatures(
  windows: readonly HrvWindowFeatures[],
  subjects: readonly string[],
): HrvRelativeWindowFeatures[] {
  if (windows.length !== subjects.length)
    throw new InternalError(
      `subjectRelativeFeatures: ${windows.length} windows but ${subjects.length} subject names; they must pair up`,
    );
  const sums = new Map<string, { n: number; sum: number[] }>();
  windows.forEach((w, i) => {
    if (!w.ok) return;
    const s = subjects[i] as string;
    const acc = sums.get(s) ?? { n: 0, sum: HRV_FEATURE_NAMES.map(() => 0) };
    HRV_FEATURE_NAMES.forEach((k, j) => (acc.sum[j] = (acc.sum[j] as number) + w.features[k]));
    acc.n++;
    sums.set(s, acc);
  });
  return windows.map((w, i) => {
    if (!w.ok) return w;
    const acc = sums.get(subjects[i] as string) as { n: number; sum: number[] };
    const relative = { ...w.features };
    HRV_FEATURE_NAMES.forEach((k, j) => (relative[k] = w.features[k] - (acc.sum[j] as number) / acc.n));
    return { ok: true, features: w.features, relative };
  });
}

/** Names of the eight values of {@link hrvRelativeFeatureVector}: the four features, then each minus the subject mean. */
export const HRV_RELATIVE_FEATURE_NAMES: readonly string[] = [
  ...HRV_FEATURE_NAMES,
  ...HRV_FEATURE_NAMES.map((k) => `${k}MinusSubjectMean`),
];

/** The eight classifier inputs of a window with features: {@link HRV_RELATIVE_FEATURE_NAMES} in order. */
export function hrvRelativeFeatureVector(w: { features: HrvFeatures; relative: HrvFeatures }): number[] {
  return [...HRV_FEATURE_NAMES.map((k) => w.features[k]), ...HRV_FEATURE_NAMES.map((k) => w.relative[k])];
}
