import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../src/errors.js';
import {
  inspectNpy,
  readNpyChannel,
  readNpyChannelChunks,
  writeNpy,
} from '../../src/datasets/formats/npy.js';
import { readCsvSignal } from '../../src/datasets/formats/csv.js';
import { readEdfSignal } from '../../src/datasets/formats/edf.js';
import { parseWfdbHeader, readWfdbSignal } from '../../src/datasets/formats/wfdb.js';
import { pattern, tmp, writeEdf, writeWfdb } from './helpers.js';

const REAL = 'test/fixtures/real';

function npyV2(path: string, descr: string, shape: string, body: Buffer): void {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat((64 - ((12 + header.length + 1) % 64)) % 64) + '\n';
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 0, 0, 0, 0]);
  pre.writeUInt32LE(header.length, 8);
  writeFileSync(path, Buffer.concat([pre, Buffer.from(header, 'latin1'), body]));
}

test('npy v1 float32/float64/int16, 1-D and 2-D [samples, channels], read whole and in chunks', () => {
  const d = tmp();
  const f64 = Float64Array.from({ length: 1000 }, (_, i) => Math.sin(i / 7) + i * 1e-3);
  writeNpy(join(d, 'a.npy'), f64);
  assert.deepEqual(readNpyChannel(join(d, 'a.npy'), 0), f64);
  const f32 = Float32Array.from(f64);
  writeNpy(join(d, 'b.npy'), f32);
  assert.deepEqual(readNpyChannel(join(d, 'b.npy'), 0), Float64Array.from(f32));
  // 2-D C order: 300 samples x 3 channels, channel c = i * 10 + c
  const two = Int16Array.from({ length: 900 }, (_, k) => Math.floor(k / 3) * 10 + (k % 3));
  writeNpy(join(d, 'c.npy'), two, [300, 3]);
  const h = inspectNpy(join(d, 'c.npy'));
  assert.deepEqual(h.shape, [300, 3]);
  assert.equal(h.dtype, 'i2');
  const ch2 = readNpyChannel(join(d, 'c.npy'), 2);
  assert.equal(ch2.length, 300);
  assert.equal(ch2[0], 2);
  assert.equal(ch2[299], 2992);
  const chunks = [...readNpyChannelChunks(join(d, 'c.npy'), 1, 64)];
  assert.equal(chunks.length, 5);
  assert.deepEqual(
    Float64Array.from(chunks.flatMap((c) => [...c])),
    Float64Array.from({ length: 300 }, (_, i) => i * 10 + 1),
  );
  assert.throws(() => readNpyChannel(join(d, 'c.npy'), 3), /c\.npy has 3 channel\(s\); lead 3/);
});

test('npy v2 header, big-endian data and the real sample_ecg.npy (12 x 2560 float64)', () => {
  const d = tmp();
  const body = Buffer.alloc(16);
  body.writeDoubleBE(1.5, 0);
  body.writeDoubleBE(-2.25, 8);
  npyV2(join(d, 'be.npy'), '>f8', '(2,)', body);
  assert.deepEqual([...readNpyChannel(join(d, 'be.npy'), 0)], [1.5, -2.25]);
  const real = join(REAL, 'sample_ecg.npy');
  if (existsSync(real)) {
    const h = inspectNpy(real);
    assert.deepEqual(h.shape, [12, 2560]);
    assert.equal(h.dtype, 'f8');
    const buf = readFileSync(real);
    assert.equal(readNpyChannel(real, 5)[0], buf.readDoubleLE(h.dataOffset + 5 * 8));
  }
});

test('npy errors: wrong magic, truncated data, unsupported dtype name the file', () => {
  const d = tmp();
  writeFileSync(join(d, 'bad.npy'), Buffer.from('not a numpy file at all'));
  assert.throws(
    () => readNpyChannel(join(d, 'bad.npy'), 0),
    (e: unknown) => e instanceof UserError && /bad\.npy is not a \.npy file \(wrong magic/.test(e.message),
  );
  writeNpy(join(d, 'full.npy'), new Float32Array(100));
  const whole = readFileSync(join(d, 'full.npy'));
  writeFileSync(join(d, 'cut.npy'), whole.subarray(0, whole.length - 10));
  assert.throws(
    () => readNpyChannel(join(d, 'cut.npy'), 0),
    /cut\.npy is truncated: shape \(100\) needs 400 data bytes, the file has 390/,
  );
  npyV2(join(d, 'u8.npy'), '|u1', '(4,)', Buffer.alloc(4));
  assert.throws(() => readNpyChannel(join(d, 'u8.npy'), 0), /u8\.npy has dtype '\|u1'/);
});

test('csv: header detection, lead by index and name, delimiters, bad cells', () => {
  const d = tmp();
  writeFileSync(join(d, 'h.csv'), 'time,ECG,resp\n0,0.5,1\n1,-0.25,2\n2,1e-3,3\n');
  assert.deepEqual([...readCsvSignal(join(d, 'h.csv'), 'ecg').samples], [0.5, -0.25, 0.001]);
  assert.deepEqual([...readCsvSignal(join(d, 'h.csv'), 2).samples], [1, 2, 3]);
  writeFileSync(join(d, 'n.csv'), '1;2\n3;4\n');
  assert.deepEqual([...readCsvSignal(join(d, 'n.csv'), 1).samples], [2, 4]);
  assert.deepEqual([...readCsvSignal(join(d, 'n.csv'), undefined).samples], [1, 3]);
  writeFileSync(join(d, 'nan.csv'), 'a\n1\nNaN\n3\n');
  assert.throws(
    () => readCsvSignal(join(d, 'nan.csv'), 0),
    /nan\.csv line 3 column 0: "NaN" is not a finite number/,
  );
  assert.throws(
    () => readCsvSignal(join(d, 'h.csv'), 'ppg'),
    /h\.csv has no column named "ppg" \(columns: time, ECG, resp\)/,
  );
});

test('EDF: digital -> physical with the header gains, per-signal rates, lead by name, EDF+ annotations skipped', () => {
  const d = tmp();
  const records = 3;
  const ecg = pattern(records * 256, 1, -32768, 32767);
  const resp = pattern(records * 25, 2, -100, 100);
  const annot = new Int16Array(records * 30);
  const path = join(d, 'x.edf');
  writeEdf(
    path,
    [
      {
        label: 'EDF Annotations',
        digital: annot,
        samplesPerRecord: 30,
        physicalMin: -1,
        physicalMax: 1,
        digitalMin: -32768,
        digitalMax: 32767,
      },
      {
        label: 'ECG',
        digital: ecg,
        samplesPerRecord: 256,
        physicalMin: -3276.8,
        physicalMax: 3276.7,
        digitalMin: -32768,
        digitalMax: 32767,
      },
      {
        label: 'Resp',
        digital: resp,
        samplesPerRecord: 25,
        physicalMin: 0,
        physicalMax: 200,
        digitalMin: -100,
        digitalMax: 100,
      },
    ],
    records,
    1,
    true,
  );
  const r = readEdfSignal(path, undefined);
  assert.equal(r.label, 'ECG');
  assert.equal(r.samplingRateHz, 256);
  assert.equal(r.samples.length, 768);
  for (let i = 0; i < 768; i++)
    assert.ok(Math.abs((r.samples[i] as number) - (ecg[i] as number) / 10) < 1e-9);
  const q = readEdfSignal(path, 'resp');
  assert.equal(q.samplingRateHz, 25);
  assert.equal(q.samples.length, 75);
  for (let i = 0; i < 75; i++)
    assert.ok(Math.abs((q.samples[i] as number) - ((resp[i] as number) + 100)) < 1e-9);
  const whole = readFileSync(path);
  writeFileSync(join(d, 'cut.edf'), whole.subarray(0, whole.length - 100));
  assert.throws(
    () => readEdfSignal(join(d, 'cut.edf'), 0),
    /cut\.edf is truncated: the header announces 3 data records, the file holds 2/,
  );
  writeFileSync(join(d, 'bad.edf'), Buffer.alloc(300, 65));
  assert.throws(() => readEdfSignal(join(d, 'bad.edf'), 0), /bad\.edf is not an EDF file/);
  assert.throws(() => readEdfSignal(path, 'EEG'), /no signal named "EEG" \(signals: ECG, Resp\)/);
});

test('WFDB formats 212 and 16 written by the test helper: interleaving, gains, baselines, checksums', () => {
  const d = tmp();
  const n = 1001; // odd total in 212 with 1 channel exercises the padding nibble
  const a = pattern(n, 3, -2000, 2000);
  const b = pattern(n, 4, -2047, 2047);
  writeWfdb(d, 'r212', 212, 360, [
    { adc: a, gain: 200, baseline: 1024, description: 'MLII' },
    { adc: b, gain: 100, baseline: -5, description: 'V5' },
  ]);
  const r = readWfdbSignal(join(d, 'r212.hea'), 'v5');
  assert.equal(r.samplingRateHz, 360);
  assert.equal(r.samples.length, n);
  for (let i = 0; i < n; i++) assert.equal(r.samples[i], ((b[i] as number) + 5) / 100);
  const r0 = readWfdbSignal(join(d, 'r212.hea'), 0);
  for (let i = 0; i < n; i++) assert.equal(r0.samples[i], ((a[i] as number) - 1024) / 200);
  const c = pattern(500, 5, -30000, 30000);
  writeWfdb(d, 'r16', 16, 1000, [
    { adc: pattern(500, 6), gain: 2000, baseline: 0, description: 'i' },
    { adc: c, gain: 2000, baseline: 0, description: 'ii' },
    { adc: pattern(500, 7), gain: 2000, baseline: 0, description: 'iii' },
  ]);
  const s = readWfdbSignal(join(d, 'r16.hea'), 'II');
  assert.equal(s.samples.length, 500);
  for (let i = 0; i < 500; i++) assert.equal(s.samples[i], (c[i] as number) / 2000);
  // A flipped byte breaks the checksum; a cut file is truncated.
  const dat = readFileSync(join(d, 'r16.dat'));
  dat[2 * 3 * 10 + 2] = (dat[2 * 3 * 10 + 2] as number) ^ 0x10;
  writeFileSync(join(d, 'r16.dat'), dat);
  assert.throws(() => readWfdbSignal(join(d, 'r16.hea'), 'ii'), /r16\.dat signal "ii" fails its checksum/);
  writeFileSync(join(d, 'r16.dat'), dat.subarray(0, 2000));
  assert.throws(
    () => readWfdbSignal(join(d, 'r16.hea'), 0),
    /r16\.dat is truncated: .* announces 500 samples per signal, the file holds 333/,
  );
  assert.throws(
    () => parseWfdbHeader('x 1 250\nx.dat 310 200 12 0\n', 'x.hea'),
    /signal format 310 is not supported/,
  );
});

test(
  'WFDB real records: MIT-BIH 100 (212) and PTB s0010_re (16)',
  { skip: existsSync(join(REAL, 'mitdb/100.hea')) ? false : 'no real records' },
  () => {
    const m = readWfdbSignal(join(REAL, 'mitdb/100.hea'), 'MLII');
    assert.equal(m.samplingRateHz, 360);
    assert.equal(m.samples.length, 650000);
    assert.ok(Math.abs((m.samples[0] as number) - -0.145) < 1e-12);
    const v5 = readWfdbSignal(join(REAL, 'mitdb/100.hea'), 1);
    assert.ok(Math.abs((v5.samples[0] as number) - -0.065) < 1e-12); // adc 1011, baseline 1024, gain 200
    const p = readWfdbSignal(join(REAL, 'ptbdb/s0010_re.hea'), 'v6');
    assert.equal(p.header.signals.length, 15);
    assert.equal(p.samplingRateHz, 1000);
    assert.equal(p.samples.length, 38400);
    const i0 = readWfdbSignal(join(REAL, 'ptbdb/s0010_re.hea'), 0);
    assert.ok(Math.abs((i0.samples[0] as number) - -489 / 2000) < 1e-12);
  },
);
