// WFDB multi-rate records (several samples per frame, `16x32`): de-interleaving in formats 16, 212 and 80.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseWfdbHeader, readWfdbSignal } from '../../src/datasets/formats/wfdb.js';
import { cli } from '../helpers/cli.js';
import { pattern, tmp } from './helpers.js';

/** One signal of a record written by {@link writeFrames}: its ADC samples (frames x spf) and header fields. */
interface Sig {
  adc: Int16Array;
  spf: number;
  gain: number;
  baseline: number;
  name: string;
}

/**
 * Writes `<dir>/<rec>.hea` + `.dat` by hand in the WFDB frame layout (written here, not by the reader's helpers):
 * per frame, `spf` consecutive samples of each signal in header order, packed in `format`.
 */
function writeFrames(dir: string, rec: string, format: 16 | 212 | 80, frameHz: number, sigs: Sig[]): void {
  const frames = (sigs[0] as Sig).adc.length / (sigs[0] as Sig).spf;
  const stream: number[] = [];
  for (let f = 0; f < frames; f++)
    for (const s of sigs) for (let k = 0; k < s.spf; k++) stream.push(s.adc[f * s.spf + k] as number);
  let dat: Buffer;
  if (format === 16) {
    dat = Buffer.alloc(stream.length * 2);
    stream.forEach((v, i) => dat.writeInt16LE(v, 2 * i));
  } else if (format === 80) {
    dat = Buffer.from(stream.map((v) => (v + 128) & 0xff));
  } else {
    const padded = stream.length % 2 === 1 ? [...stream, 0] : stream;
    dat = Buffer.alloc((padded.length / 2) * 3);
    for (let p = 0; p < padded.length / 2; p++) {
      const a = (padded[2 * p] as number) & 0xfff;
      const b = (padded[2 * p + 1] as number) & 0xfff;
      dat[3 * p] = a & 0xff;
      dat[3 * p + 1] = (a >> 8) | ((b >> 8) << 4);
      dat[3 * p + 2] = b & 0xff;
    }
  }
  const bits = format === 16 ? 16 : format === 212 ? 12 : 8;
  const lines = [`${rec} ${sigs.length} ${frameHz} ${frames}`];
  for (const s of sigs) {
    const sum = s.adc.reduce((a, v) => a + v, 0);
    const s16 = (((sum % 65536) + 65536 + 32768) % 65536) - 32768;
    const fmt = s.spf === 1 ? `${format}` : `${format}x${s.spf}`;
    lines.push(`${rec}.dat ${fmt} ${s.gain}(${s.baseline})/mV ${bits} 0 ${s.adc[0]} ${s16} 0 ${s.name}`);
  }
  writeFileSync(join(dir, `${rec}.hea`), lines.join('\n') + '\n');
  writeFileSync(join(dir, `${rec}.dat`), dat);
}

/** drivedb's shape: frame rate 15.5 Hz, ECG 16x32 (496 Hz), EMG 16x2, foot GSR, hand GSR, HR 16x2, RESP 16. */
function driveSignals(frames: number, lo = -2000, hi = 2000): Sig[] {
  const sig = (name: string, spf: number, seed: number, gain: number): Sig => ({
    adc: pattern(frames * spf, seed, lo, hi),
    spf,
    gain,
    baseline: 3,
    name,
  });
  return [
    sig('ECG', 32, 1, 1000),
    sig('EMG', 2, 2, 500),
    sig('foot GSR', 1, 3, 1000),
    sig('hand GSR', 1, 4, 1000),
    sig('HR', 2, 5, 1),
    sig('RESP', 1, 6, 100),
  ];
}

test('WFDB multi-rate (drivedb shape, format 16): each signal at its own rate, de-interleaved', () => {
  const d = tmp();
  const sigs = driveSignals(101);
  writeFrames(d, 'drive01', 16, 15.5, sigs);
  const h = parseWfdbHeader(readFileSync(join(d, 'drive01.hea'), 'latin1'), 'drive01.hea');
  assert.deepEqual(
    h.signals.map((s) => s.samplesPerFrame),
    [32, 2, 1, 1, 2, 1],
  );
  for (const [i, s] of sigs.entries()) {
    const r = readWfdbSignal(join(d, 'drive01.hea'), s.name.toLowerCase());
    assert.equal(r.samplingRateHz, 15.5 * s.spf, s.name);
    assert.equal(r.samples.length, 101 * s.spf, s.name);
    for (let k = 0; k < r.samples.length; k++)
      assert.equal(r.samples[k], ((s.adc[k] as number) - 3) / s.gain, `${s.name} sample ${k}`);
    assert.equal(readWfdbSignal(join(d, 'drive01.hea'), i).samples.length, r.samples.length);
  }
  const ecg = readWfdbSignal(join(d, 'drive01.hea'), 'ECG');
  assert.equal(ecg.samplingRateHz, 496);
});

test('WFDB multi-rate in formats 212 (odd stream, pairs across signals) and 80', () => {
  const d = tmp();
  // Frame of 3 + 1 + 1 = 5 samples: 212 pairs straddle signals and frames; 7 frames give an odd stream.
  const sigs = (lo: number, hi: number): Sig[] => [
    { adc: pattern(7 * 3, 11, lo, hi), spf: 3, gain: 200, baseline: 0, name: 'ECG' },
    { adc: pattern(7, 12, lo, hi), spf: 1, gain: 200, baseline: 10, name: 'RESP' },
    { adc: pattern(7, 13, lo, hi), spf: 1, gain: 50, baseline: -4, name: 'GSR' },
  ];
  for (const [format, lo, hi] of [
    [212, -2047, 2047],
    [80, -127, 127],
  ] as const) {
    const s = sigs(lo, hi);
    writeFrames(d, `r${format}`, format, 100, s);
    for (const sig of s) {
      const r = readWfdbSignal(join(d, `r${format}.hea`), sig.name);
      assert.equal(r.samplingRateHz, 100 * sig.spf);
      assert.deepEqual(
        [...r.samples],
        [...sig.adc].map((v) => (v - sig.baseline) / sig.gain),
        `${format} ${sig.name}`,
      );
    }
  }
});

test('WFDB multi-rate: a truncated file names frames; a corrupt sample fails the checksum; bad x field', () => {
  const d = tmp();
  writeFrames(d, 'm', 16, 10, [
    { adc: pattern(40 * 4, 1), spf: 4, gain: 200, baseline: 0, name: 'ECG' },
    { adc: pattern(40, 2), spf: 1, gain: 200, baseline: 0, name: 'RESP' },
  ]);
  const dat = readFileSync(join(d, 'm.dat'));
  // Frame 5, ECG sample 2: byte 2 * (5 * 5 + 2).
  const flipped = Buffer.from(dat);
  flipped[2 * (5 * 5 + 2)] = (flipped[2 * (5 * 5 + 2)] as number) ^ 0x04;
  writeFileSync(join(d, 'm.dat'), flipped);
  assert.throws(() => readWfdbSignal(join(d, 'm.hea'), 'ECG'), /m\.dat signal "ECG" fails its checksum/);
  assert.equal(readWfdbSignal(join(d, 'm.hea'), 'RESP').samples.length, 40); // the other signal is intact
  writeFileSync(join(d, 'm.dat'), dat.subarray(0, 2 * 5 * 30 + 3));
  assert.throws(
    () => readWfdbSignal(join(d, 'm.hea'), 0),
    /m\.dat is truncated: .* announces 40 frames, the file holds 30/,
  );
  assert.throws(
    () => parseWfdbHeader('x 1 250\nx.dat 16x0 200 12 0\n', 'x.hea'),
    /x\.hea signal 0: bad samples per frame "x0" in format field "16x0"/,
  );
});

test('ecgssl prepare --json on a written multi-rate record (drivedb shape) with an interval labels file', async () => {
  const dir = tmp('ecgssl-drive-');
  const frames = 120 * 31; // 240 s at 15.5 frames/s
  const sigs = driveSignals(frames);
  // The ECG lead: 1.2 beats/s at 496 Hz, in ADC units of gain 1000.
  sigs[0]!.adc = Int16Array.from({ length: frames * 32 }, (_, i) =>
    Math.round(1000 * Math.sin((Math.PI * 1.2 * i) / 496) ** 16),
  );
  writeFrames(dir, 'drive05', 16, 15.5, sigs);
  writeFileSync(
    join(dir, 'intervals.csv'),
    'subject,recording,startS,endS,stress\ndrive05,drive05,0,60,low\ndrive05,drive05,90,180,high\ndrive05,drive05,200,235,low\n',
  );
  writeFileSync(
    join(dir, 'c.yaml'),
    `experiment: drive\ndata: { kind: wfdb, root: ${dir}, lead: ECG, labelsFile: ${join(dir, 'intervals.csv')} }\n` +
      `output: { root: ${join(dir, 'results')}, cacheDir: ${join(dir, 'cache')} }\n`,
  );
  const r = await cli('prepare', '--config', join(dir, 'c.yaml'), '--json', '--quiet');
  assert.equal(r.code, 0, r.stderr);
  const src = (JSON.parse(r.stdout) as { sources: { windows: number; labelCounts: unknown }[] }).sources[0]!;
  // 240 s at 496 Hz -> 256 Hz, 10-s windows: high 9 (90-180 s), low 6 + 3; gaps 60-90, 180-200, 235-240: 3 + 2 + 0.
  assert.deepEqual(src.labelCounts, { stress: { '0': 9, '1': 9, NaN: 5 } });
  assert.equal(src.windows, 23);
  process.stderr.write(`drivedb-shaped record with intervals: ${JSON.stringify(src.labelCounts)}\n`);
});
