// Cross-validation folds: makeFolds (window, subject, stratified-window splits) and a run's evaluationFolds.
import { UserError, check, invariant } from '../errors.js';
import type { WindowEntry } from '../datasets/types.js';
import { createRng } from '../random/index.js';
import type { Rng } from '../random/types.js';

/** How windows are split into cross-validation folds (METHOD §5). */
export type FoldSplit = 'window' | 'subject' | 'stratified-window';

/** Arguments of {@link makeFolds}. */
export interface MakeFoldsArgs {
  /** Number of folds (paper: 10). */
  folds: number;
  /** 'window': shuffled over windows (authors: KFold shuffle, seed 1); 'subject': grouped by subject; 'stratified-window': per-class shuffle. */
  split: FoldSplit;
  /** Seed of the shuffle (project Rng). */
  seed: number;
  /** Task whose label stratifies 'stratified-window' (required there). */
  task?: string;
}

/** One fold: indices into the entries, disjoint, ascending. */
export interface Fold {
  train: number[];
  test: number[];
}

/** Deals a shuffled list round-robin-free into k contiguous parts of sizes differing by at most one (sklearn KFold). */
function chunk<T>(items: readonly T[], k: number): T[][] {
  const parts: T[][] = [];
  const base = Math.floor(items.length / k);
  const extra = items.length % k;
  let start = 0;
  for (let f = 0; f < k; f++) {
    const size = base + (f < extra ? 1 : 0);
    parts.push(items.slice(start, start + size));
    start += size;
  }
  return parts;
}

/**
 * K-fold cross-validation indices over window entries (METHOD §5: 10 folds, shuffled with a fixed seed).
 * Every entry is in exactly one test part; train is its complement. 'subject' keeps each subject's windows in one
 * fold (throws when there are fewer subjects than folds); 'stratified-window' spreads each class of `task` evenly.
 */
export function makeFolds(entries: readonly WindowEntry[], args: MakeFoldsArgs): Fold[] {
  const { folds, split, seed } = args;
  check(Number.isInteger(folds) && folds >= 2, 'makeFolds', `folds must be an integer >= 2, got ${folds}`);
  check(
    entries.length >= folds,
    'makeFolds',
    `${entries.length} windows cannot be split into ${folds} folds (need at least one per fold)`,
  );
  const rng: Rng = createRng(seed);
  const testOf: number[][] = Array.from({ length: folds }, () => []);
  if (split === 'window') {
    const order = rng.permutation(entries.length);
    chunk(order, folds).forEach((part, f) => testOf[f]!.push(...part));
  } else if (split === 'subject') {
    const subjects = [...new Set(entries.map((e) => e.subject))].sort();
    check(
      subjects.length >= folds,
      'makeFolds',
      `split 'subject' needs at least ${folds} subjects, the data has ${subjects.length}`,
    );
    const foldOfSubject = new Map<string, number>();
    const perm = rng.permutation(subjects.length);
    chunk(perm, folds).forEach((part, f) => part.forEach((s) => foldOfSubject.set(subjects[s]!, f)));
    entries.forEach((e, i) => testOf[foldOfSubject.get(e.subject)!]!.push(i));
  } else if (split === 'stratified-window') {
    const task = args.task;
    invariant(task !== undefined, 'makeFolds', "split 'stratified-window' needs a task");
    const byClass = new Map<number, number[]>();
    entries.forEach((e, i) => {
      const y = e.labels[task];
      const key = y === undefined || Number.isNaN(y) ? -1 : y;
      const list = byClass.get(key) ?? [];
      list.push(i);
      byClass.set(key, list);
    });
    // Deal each class's shuffled windows round-robin, continuing where the previous class stopped, so fold sizes stay balanced.
    let next = 0;
    for (const key of [...byClass.keys()].sort((a, b) => a - b)) {
      const members = byClass.get(key)!;
      for (const j of rng.permutation(members.length)) {
        testOf[next]!.push(members[j]!);
        next = (next + 1) % folds;
      }
    }
  } else {
    invariant(false, 'makeFolds', `unknown split '${String(split)}' (window, subject, stratified-window)`);
  }
  return testOf.map((test) => {
    const inTest = new Uint8Array(entries.length);
    for (const i of test) inTest[i] = 1;
    const train: number[] = [];
    for (let i = 0; i < entries.length; i++) if (!inTest[i]) train.push(i);
    return { train, test: [...test].sort((a, b) => a - b) };
  });
}

/**
 * The cross-validation folds of a run, shared by pretraining (scope `fold`) and fine-tuning so that a fold's
 * encoder never sees that fold's test windows. 'stratified-window' stratifies by the store's first task in
 * sorted order (one split for every task, so the per-fold encoders serve every task).
 */
export function evaluationFolds(
  entries: readonly WindowEntry[],
  tasks: Readonly<Record<string, number>>,
  evaluation: { folds: number; split: FoldSplit; splitSeed: number },
): Fold[] {
  const first = Object.keys(tasks).sort()[0];
  if (evaluation.split === 'stratified-window' && first === undefined)
    throw new UserError(
      "evaluationFolds: split 'stratified-window' needs a labelled task, the data has none",
    );
  return makeFolds(entries, {
    folds: evaluation.folds,
    split: evaluation.split,
    seed: evaluation.splitSeed,
    task: first,
  });
}
