import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeFolds } from '../../src/training/folds.js';
import type { WindowEntry } from '../../src/datasets/types.js';

function entries(n: number, subjects: number): WindowEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    subject: `s${i % subjects}`,
    recording: `r${i % subjects}`,
    window: i,
    labels: { arousal: i % 3 === 0 ? 1 : 0 },
    source: 0,
  }));
}

function assertPartition(folds: { train: number[]; test: number[] }[], n: number): void {
  const seen = new Array<number>(n).fill(0);
  for (const f of folds) {
    for (const i of f.test) seen[i]! += 1;
    assert.equal(f.train.length + f.test.length, n);
    const test = new Set(f.test);
    assert.ok(f.train.every((i) => !test.has(i)));
  }
  assert.ok(
    seen.every((c) => c === 1),
    'each window in exactly one test fold',
  );
}

test('window split partitions, is seeded and balanced', () => {
  const e = entries(103, 7);
  const a = makeFolds(e, { folds: 10, split: 'window', seed: 1 });
  assertPartition(a, 103);
  assert.ok(a.every((f) => f.test.length === 10 || f.test.length === 11));
  assert.deepEqual(makeFolds(e, { folds: 10, split: 'window', seed: 1 }), a);
  assert.notDeepEqual(makeFolds(e, { folds: 10, split: 'window', seed: 2 }), a);
});

test('subject split never puts a subject on both sides', () => {
  const e = entries(120, 12);
  const folds = makeFolds(e, { folds: 4, split: 'subject', seed: 3 });
  assertPartition(folds, 120);
  for (const f of folds) {
    const testSubjects = new Set(f.test.map((i) => e[i]!.subject));
    assert.ok(f.train.every((i) => !testSubjects.has(e[i]!.subject)));
  }
  assert.throws(
    () => makeFolds(entries(50, 5), { folds: 10, split: 'subject', seed: 1 }),
    /at least 10 subjects/,
  );
});

test('stratified split keeps class proportions per fold', () => {
  const e = entries(300, 5);
  const folds = makeFolds(e, { folds: 10, split: 'stratified-window', seed: 1, task: 'arousal' });
  assertPartition(folds, 300);
  for (const f of folds) assert.equal(f.test.filter((i) => e[i]!.labels.arousal === 1).length, 10);
  assert.throws(() => makeFolds(e, { folds: 10, split: 'stratified-window', seed: 1 }), /needs a task/);
});
