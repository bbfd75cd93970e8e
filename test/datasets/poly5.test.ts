import { test } from 'node:test';
import assert from 'node:assert/strict';
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPoly5Chunks, readPoly5Header } from '../../src/datasets/formats/poly5.js';
import { UserError } from '../../src/errors.js';
import { tmp } from './helpers.js';
import { writePoly5 } from './poly5Writer.js';

const NAMES = ['ExG1', 'ExG2', 'Bip1', 'Bip2', 'Resp', 'GSR', 'Aux', 'ECG', 'Dig'];
function channels(n: number): Float64Array[] {
  return NAMES.map((_, c) =>
    Float64Array.from({ length: n }, (_, i) => Math.fround(c * 100 + Math.sin(i / 9) * 50 + i / 1000)),
  );
}

test('Poly5 float32: header, (Lo)/(Hi) pairs as channels, channel 7 streamed in chunks, padding dropped', () => {
  const d = tmp('ecgssl-poly5-');
  const p = join(d, 'rec.S00');
  const data = channels(1234);
  writePoly5(p, { rateHz: 2048, names: NAMES, data, samplesPerBlock: 100 });
  const h = readPoly5Header(p);
  assert.equal(h.sampleRateHz, 2048);
  assert.equal(h.format, 'float32');
  assert.deepEqual(
    h.channels.map((c) => c.name),
    NAMES,
  );
  assert.equal(h.numSamples, 1234);
  assert.equal(h.numBlocks, 13);
  const chunks = [...readPoly5Chunks(p, 7, 300)];
  assert.deepEqual(
    chunks.map((c) => c.length),
    [300, 300, 300, 300, 34],
  );
  const all = Float64Array.from(chunks.flatMap((c) => [...c]));
  assert.deepEqual(all, data[7]);
  assert.deepEqual(Float64Array.from([...readPoly5Chunks(p, 'ecg')].flatMap((c) => [...c])), data[7]);
  assert.throws(() => [...readPoly5Chunks(p, 9)], /9 channels; channel 9 does not exist/);
});

test('Poly5 int16: one description per channel, unit scaling from the descriptions', () => {
  const d = tmp('ecgssl-poly5-');
  const p = join(d, 'rec16.S00');
  const n = 450;
  const phys = NAMES.map((_, c) =>
    Float64Array.from({ length: n }, (_, i) => ((i * 7 + c * 13) % 401) - 200),
  );
  // unit range -1000..1000 over ADC -20000..20000: 1 unit = 20 digital steps, so integers survive exactly
  writePoly5(p, {
    rateHz: 512,
    names: NAMES,
    data: phys,
    format: 'int16',
    samplesPerBlock: 64,
    unitLow: -1000,
    unitHigh: 1000,
    adcLow: -20000,
    adcHigh: 20000,
  });
  const h = readPoly5Header(p);
  assert.equal(h.format, 'int16');
  assert.equal(h.channels.length, 9);
  const got = Float64Array.from([...readPoly5Chunks(p, 7, 128)].flatMap((c) => [...c]));
  assert.equal(got.length, n);
  for (let i = 0; i < n; i++)
    assert.ok(Math.abs(got[i]! - phys[7]![i]!) < 1e-9, `${i}: ${got[i]} vs ${phys[7]![i]}`);
});

test('Poly5: truncated files and wrong magic are one-line UserErrors naming the file', () => {
  const d = tmp('ecgssl-poly5-');
  const p = join(d, 'short.S00');
  writePoly5(p, { rateHz: 256, names: NAMES, data: channels(500) });
  truncateSync(p, 3000);
  assert.throws(
    () => readPoly5Header(p),
    (e: unknown) => e instanceof UserError && /short\.S00.*truncated/.test(e.message),
  );
  writeFileSync(join(d, 'x.S00'), 'not a poly5 file at all');
  assert.throws(() => readPoly5Header(join(d, 'x.S00')), /x\.S00 is not a readable Poly5 file/);
});
