// Writers of small test files in the formats the dataset readers read (EDF, WFDB 212/16, CSV).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tmp(prefix = 'ecgssl-ds-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface EdfTestSignal {
  label: string;
  /** Digital samples (int16), length = records * samplesPerRecord. */
  digital: Int16Array;
  samplesPerRecord: number;
  physicalMin: number;
  physicalMax: number;
  digitalMin: number;
  digitalMax: number;
  dimension?: string;
}

function pad(s: string, n: number): string {
  return (s + ' '.repeat(n)).slice(0, n);
}

/** Writes an EDF (or EDF+C when `plus`) file. */
export function writeEdf(
  path: string,
  signals: EdfTestSignal[],
  records: number,
  recordDurationS: number,
  plus = false,
): void {
  const ns = signals.length;
  let h = pad('0', 8) + pad('X X X X', 80) + pad('Startdate X X X X', 80) + '01.01.20' + '00.00.00';
  h += pad(String(256 * (ns + 1)), 8) + pad(plus ? 'EDF+C' : '', 44) + pad(String(records), 8);
  h += pad(String(recordDurationS), 8) + pad(String(ns), 4);
  const cols: [number, (s: EdfTestSignal) => string][] = [
    [16, (s) => s.label],
    [80, () => ''],
    [8, (s) => s.dimension ?? 'uV'],
    [8, (s) => String(s.physicalMin)],
    [8, (s) => String(s.physicalMax)],
    [8, (s) => String(s.digitalMin)],
    [8, (s) => String(s.digitalMax)],
    [80, () => ''],
    [8, (s) => String(s.samplesPerRecord)],
    [32, () => ''],
  ];
  for (const [len, f] of cols) for (const s of signals) h += pad(f(s), len);
  const recordBytes = signals.reduce((a, s) => a + 2 * s.samplesPerRecord, 0);
  const data = Buffer.alloc(records * recordBytes);
  let o = 0;
  for (let r = 0; r < records; r++)
    for (const s of signals)
      for (let i = 0; i < s.samplesPerRecord; i++) {
        data.writeInt16LE(s.digital[r * s.samplesPerRecord + i] as number, o);
        o += 2;
      }
  writeFileSync(path, Buffer.concat([Buffer.from(h, 'latin1'), data]));
}

/** Writes a WFDB record `<dir>/<name>.hea` + `.dat` with all channels interleaved in one file. */
export function writeWfdb(
  dir: string,
  name: string,
  format: 212 | 16,
  rateHz: number,
  channels: { adc: Int16Array; gain: number; baseline: number; description: string }[],
): void {
  const n = channels[0]?.adc.length ?? 0;
  const m = channels.length;
  const flat: number[] = [];
  for (let t = 0; t < n; t++) for (const c of channels) flat.push(c.adc[t] as number);
  let dat: Buffer;
  if (format === 16) {
    dat = Buffer.alloc(flat.length * 2);
    flat.forEach((v, i) => dat.writeInt16LE(v, 2 * i));
  } else {
    if (flat.length % 2 === 1) flat.push(0);
    dat = Buffer.alloc((flat.length / 2) * 3);
    for (let p = 0; p < flat.length / 2; p++) {
      const a = (flat[2 * p] as number) & 0xfff;
      const b = (flat[2 * p + 1] as number) & 0xfff;
      dat[3 * p] = a & 0xff;
      dat[3 * p + 1] = ((a >> 8) & 0x0f) | (((b >> 8) & 0x0f) << 4);
      dat[3 * p + 2] = b & 0xff;
    }
  }
  const lines = [`# test record`, `${name} ${m} ${rateHz} ${n}`];
  for (const c of channels) {
    let sum = 0;
    for (const v of c.adc) sum += v;
    const s16 = ((((sum % 65536) + 65536 + 32768) % 65536) - 32768) | 0;
    lines.push(
      `${name}.dat ${format} ${c.gain}(${c.baseline})/mV 12 0 ${c.adc[0]} ${s16} 0 ${c.description}`,
    );
  }
  writeFileSync(join(dir, `${name}.hea`), lines.join('\n') + '\n');
  writeFileSync(join(dir, `${name}.dat`), dat);
}

/** Deterministic integer test pattern in [lo, hi]. */
export function pattern(n: number, seed: number, lo = -2000, hi = 2000): Int16Array {
  const out = new Int16Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = lo + (s % (hi - lo + 1));
  }
  return out;
}
