import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng, deriveRng } from '../../src/random/index.js';
import { scoreClassification } from '../../src/metrics/index.js';
import { InternalError } from '../../src/errors.js';
import { loadFixture } from './helpers.js';

describe('createRng / deriveRng', () => {
  it('is deterministic and stream-independent', () => {
    const a = createRng(42);
    const b = createRng(42);
    const xs = Array.from({ length: 100 }, () => a.uniform());
    assert.deepEqual(
      xs,
      Array.from({ length: 100 }, () => b.uniform()),
    );
    assert.notDeepEqual(
      Array.from({ length: 5 }, () => deriveRng(1, 0, 1, 2).uniform()),
      Array.from({ length: 5 }, () => deriveRng(1, 0, 2, 1).uniform()),
    );
    assert.notEqual(deriveRng(1, 0).uniform(), deriveRng(1, 0, 0).uniform());
  });
  it('has the right distributions', () => {
    const r = createRng(3);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let u = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
      u += r.uniform();
    }
    assert.ok(Math.abs(s / n) < 0.01);
    assert.ok(Math.abs(s2 / n - 1) < 0.02);
    assert.ok(Math.abs(u / n - 0.5) < 0.005);
    const counts = new Array<number>(5).fill(0);
    for (let i = 0; i < 50_000; i++) {
      const k = r.int(3, 8) - 3;
      counts[k] = (counts[k] ?? 0) + 1;
    }
    for (const c of counts) assert.ok(Math.abs(c - 10_000) < 400, `int counts ${counts}`);
  });
  it('permutation and sample', () => {
    const r = createRng(7);
    const p = r.permutation(20);
    assert.deepEqual(
      [...p].sort((x, y) => x - y),
      Array.from({ length: 20 }, (_, i) => i),
    );
    const s = r.sample(9, 5);
    assert.equal(new Set(s).size, 5);
    assert.deepEqual(
      s,
      [...s].sort((x, y) => x - y),
    );
    assert.ok(s.every((v) => v >= 0 && v < 9));
    assert.throws(() => r.int(3, 3), InternalError);
    assert.throws(() => createRng(-1), /seed/);
  });
  it('resumes the exact stream from getState/setState', () => {
    const r = createRng(11);
    r.normal(); // leaves a cached spare normal
    const state = r.getState();
    const next = [r.normal(), r.uniform(), r.int(0, 1000)];
    const q = createRng(0);
    q.setState(JSON.parse(JSON.stringify(state)) as number[]);
    assert.deepEqual([q.normal(), q.uniform(), q.int(0, 1000)], next);
  });
});

describe('scoreClassification', () => {
  it('matches scikit-learn and the authors F1 on the fixture cases', () => {
    const f = loadFixture<{
      cases: {
        yTrue: number[];
        yPred: number[];
        accuracy: number;
        f1Macro: number;
        f1Official: number;
        precisionMacro: number;
        recallMacro: number;
      }[];
      tolerance: { maxAbs: number };
    }>('metrics.json');
    for (const c of f.cases) {
      const s = scoreClassification(c.yTrue, c.yPred);
      for (const k of ['accuracy', 'f1Macro', 'f1Official', 'precisionMacro', 'recallMacro'] as const)
        assert.ok(Math.abs(s[k] - c[k]) < f.tolerance.maxAbs, `${k}: ${s[k]} vs ${c[k]}`);
      assert.equal(
        s.confusion.flat().reduce((a, b) => a + b, 0),
        c.yTrue.length,
      );
    }
  });
  it('scores a class never predicted as F1 0 and sizes the confusion matrix', () => {
    const s = scoreClassification([0, 0, 1, 1], [0, 0, 0, 0], 3);
    assert.equal(s.accuracy, 0.5);
    assert.deepEqual(s.confusion, [
      [2, 0, 0],
      [2, 0, 0],
      [0, 0, 0],
    ]);
    assert.ok(Math.abs(s.f1Macro - 2 / 3 / 2) < 1e-12);
    assert.throws(() => scoreClassification([0, 1], [0]), /yTrue has 2/);
  });
});
