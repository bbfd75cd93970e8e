// The phase timer: off by default (no totals), self time per phase with nesting, async phases; the bench's split.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { phaseTotals, setPhaseTimer, timePhase, timePhaseAsync } from '../../src/util/phaseTimer.js';
import { experimentShares } from '../../src/bench/experiment.js';

/** Busy-waits `ms` milliseconds (the timer measures wall time). */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

test('off: timePhase only runs the function and records nothing', async () => {
  setPhaseTimer(false);
  assert.equal(
    timePhase('a', () => 41 + 1),
    42,
  );
  assert.equal(await timePhaseAsync('b', async () => 'x'), 'x');
  assert.deepEqual(phaseTotals(), {});
});

test('on: each phase gets its self time (nested phases excluded) and its call count', () => {
  setPhaseTimer(true);
  try {
    timePhase('outer', () => {
      spin(30);
      timePhase('inner', () => spin(60));
      timePhase('inner', () => spin(60));
    });
    const t = phaseTotals();
    assert.deepEqual(Object.keys(t), ['outer', 'inner']);
    assert.equal(t.outer!.calls, 1);
    assert.equal(t.inner!.calls, 2);
    assert.ok(t.inner!.seconds >= 0.12, `inner ${t.inner!.seconds} s, spun 0.12 s`);
    assert.ok(t.outer!.seconds >= 0.03 && t.outer!.seconds < 0.15, `outer self time ${t.outer!.seconds} s`);
  } finally {
    setPhaseTimer(false);
  }
});

test('on: an async phase counts its awaited time; a throwing phase is closed', async () => {
  setPhaseTimer(true);
  try {
    await timePhaseAsync('wait', () => new Promise((r) => setTimeout(r, 40)));
    assert.throws(() =>
      timePhase('fails', () => {
        throw new Error('boom');
      }),
    );
    timePhase('after', () => spin(5));
    const t = phaseTotals();
    assert.ok(t.wait!.seconds >= 0.035, `wait ${t.wait!.seconds} s`);
    assert.ok(t.fails!.seconds < 0.02, 'the failed phase stopped counting when it threw');
    assert.ok(t.after!.seconds >= 0.004);
  } finally {
    setPhaseTimer(false);
  }
});

test('experimentShares: engine.* phases are the engine, the rest by name plus the uncovered time as other', () => {
  const s = experimentShares(10, {
    'engine.pretrain': { seconds: 6, calls: 3 },
    'engine.finetune': { seconds: 2, calls: 9 },
    figures: { seconds: 0.5, calls: 2 },
    io: { seconds: 0.25, calls: 4 },
  });
  assert.equal(s.engineSeconds, 8);
  assert.equal(s.restSeconds, 2);
  assert.equal(s.restShare, 0.2);
  assert.deepEqual(s.engine, { pretrain: 6, finetune: 2 });
  assert.deepEqual(s.rest, { figures: 0.5, io: 0.25, other: 1.25 });
});
