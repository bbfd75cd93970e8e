// Tests of the Butterworth low-pass design against scipy.signal.butter(..., 'lowpass', output='sos').
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { butterLowpassSos } from '../../src/preprocessing/butterLowpassSos.js';
import { UserError } from '../../src/errors.js';

// Expected: /usr/bin/python3 -c "from scipy import signal; print(signal.butter(2, 15, 'lowpass', fs=360,
// output='sos').tolist()); print(signal.butter(4, 40, 'lowpass', fs=250, output='sos').tolist())" (scipy 1.10.1)
test('butterLowpassSos equals scipy butter(order, cutoff, lowpass, fs, output=sos)', () => {
  const cases: [number, number, number, number[][]][] = [
    [
      2,
      15,
      360,
      [
        [
          0.01440144034651121, 0.02880288069302242, 0.01440144034651121, 1.0, -1.6329931618554523,
          0.6905989232414971,
        ],
      ],
    ],
    [
      4,
      40,
      250,
      [
        [
          0.022870207716290954, 0.04574041543258191, 0.022870207716290954, 1.0, -0.6020332022574452,
          0.12355934398734864,
        ],
        [1.0, 2.0, 1.0, 1.0, -0.8099502989391332, 0.5115897646941702],
      ],
    ],
  ];
  for (const [order, cutoffHz, rateHz, want] of cases) {
    const got = butterLowpassSos({ cutoffHz, rateHz, order });
    assert.equal(got.length, want.length);
    want.forEach((row, i) =>
      row.forEach((v, j) =>
        assert.ok(Math.abs(got[i]![j]! - v) < 1e-12, `order ${order} [${i}][${j}]: ${got[i]![j]} vs ${v}`),
      ),
    );
  }
  // odd order: scipy groups the zeros differently; the DC gain (product of section gains at z = 1) is still 1
  const sos3 = butterLowpassSos({ cutoffHz: 40, rateHz: 250, order: 3 });
  const dc = sos3.reduce((g, s) => g * ((s[0]! + s[1]! + s[2]!) / (s[3]! + s[4]! + s[5]!)), 1);
  assert.ok(Math.abs(dc - 1) < 1e-12, `DC gain ${dc}`);
  assert.throws(
    () => butterLowpassSos({ cutoffHz: 130, rateHz: 250, order: 2 }),
    (e: unknown) =>
      e instanceof UserError && /butterLowpassSos: cutoffHz must be in \(0, 125\)/.test(e.message),
  );
});
