// Tests of the WFDB (MIT format) annotation reader on MIT-BIH 100.atr and on hand-built byte streams.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../src/errors.js';
import {
  beatAnnotations,
  parseWfdbAnnotations,
  readWfdbAnnotations,
} from '../../src/datasets/formats/wfdbAnnotations.js';

const ATR = join('test/fixtures/real', 'mitdb/100.atr');

/** One 16-bit little-endian annotation word: code in the top 6 bits, value in the low 10. */
function word(code: number, value: number): number[] {
  const w = (code << 10) | (value & 0x3ff);
  return [w & 0xff, w >> 8];
}

test(
  'MIT-BIH 100.atr: 2274 annotations, 2273 beats (2239 N, 33 A, 1 V), PhysioNet sample times',
  { skip: existsSync(ATR) ? false : 'no 100.atr' },
  () => {
    const ann = readWfdbAnnotations(ATR);
    assert.equal(ann.samples.length, 2274);
    assert.deepEqual(ann.symbols.slice(0, 4), ['+', 'N', 'N', 'N']);
    assert.deepEqual(Array.from(ann.samples.slice(0, 5)), [18, 77, 370, 662, 946]);
    assert.equal(ann.aux[0], '(N');
    assert.equal(ann.aux[1], '');
    const beats = beatAnnotations(ann);
    assert.equal(beats.samples.length, 2273);
    const counts: Record<string, number> = {};
    for (const s of beats.symbols) counts[s] = (counts[s] ?? 0) + 1;
    assert.deepEqual(counts, { N: 2239, A: 33, V: 1 });
    for (let i = 1; i < beats.samples.length; i++) assert.ok(beats.samples[i]! > beats.samples[i - 1]!);
    assert.ok(beats.samples[beats.samples.length - 1]! < 650000);
  },
);

test('parseWfdbAnnotations: SKIP, NUM, SUB, CHN and AUX words; chan and num carry over, subtyp and aux do not', () => {
  const bytes = Uint8Array.from([
    ...word(59, 0),
    0x01,
    0x00,
    0x10,
    0x00, // SKIP 0x00010010 = 65552
    ...word(1, 8), // N at 65560
    ...word(62, 2), // chan 2
    ...word(61, 1023), // subtyp -1
    ...word(60, 5), // num 5
    ...word(5, 100), // V at 65660, chan 2, num 5
    ...word(63, 3),
    0x28,
    0x42,
    0x00,
    0x00, // aux "(B" (3 bytes incl. NUL, padded)
    ...word(28, 40), // + at 65700
    0,
    0, // end of file
    0xff,
    0xff, // ignored after the end
  ]);
  const a = parseWfdbAnnotations(bytes, 'x.atr');
  assert.deepEqual(Array.from(a.samples), [65560, 65660, 65700]);
  assert.deepEqual(a.symbols, ['N', 'V', '+']);
  assert.deepEqual(Array.from(a.channels), [2, 2, 2]);
  assert.deepEqual(Array.from(a.subtypes), [-1, 0, 0]);
  assert.deepEqual(Array.from(a.nums), [5, 5, 5]);
  assert.deepEqual(a.aux, ['', '(B', '']);
  assert.deepEqual(beatAnnotations(a).symbols, ['N', 'V']);
  assert.deepEqual(Array.from(beatAnnotations(a).samples), [65560, 65660]);
});

test('parseWfdbAnnotations: malformed files are UserErrors naming the function and the bad value', () => {
  const cases: [number[], RegExp][] = [
    [[...word(59, 0), 0x01], /SKIP without its 4-byte interval/],
    [[...word(1, 5), ...word(63, 9), 0x41], /AUX of 9 bytes runs past the end/],
    [[...word(55, 1)], /annotation code 55 is not defined/],
    [[...word(61, 1), ...word(1, 1)], /modifier code 61 before any annotation/],
    [[...word(1, 5), 0x07], /odd length \(3 bytes/],
    [[...word(59, 0), 0xff, 0xff, 0x00, 0x00, ...word(1, 5)], /annotation time -65531 is out of range/],
  ];
  for (const [bytes, re] of cases)
    assert.throws(
      () => parseWfdbAnnotations(Uint8Array.from(bytes), 'bad.atr'),
      (e: unknown) =>
        e instanceof UserError && /^parseWfdbAnnotations: bad\.atr/.test(e.message) && re.test(e.message),
    );
  assert.throws(
    () => readWfdbAnnotations('no/such/file.atr'),
    /readWfdbAnnotations: cannot read no\/such\/file\.atr/,
  );
});
