// Writes TMSi Poly5 files for the tests, in the layout of src/datasets/formats/poly5.ts (TMSi's Python Poly5 reader and
// FieldTrip's read_tmsi_poly5.m): 217-byte header, 136-byte signal descriptions, blocks of an 86-byte header
// plus interleaved samples.
import { writeFileSync } from 'node:fs';

export interface Poly5WriteArgs {
  rateHz: number;
  /** Channel names. */
  names: string[];
  /** Samples per channel in physical units (all the same length). */
  data: Float64Array[];
  samplesPerBlock?: number;
  /** `float32`: (Lo)/(Hi) description pairs and float32 samples; `int16`: one description per channel. */
  format?: 'float32' | 'int16';
  /** int16 scaling: physical = (digital - adcLow) / (adcHigh - adcLow) * (unitHigh - unitLow) + unitLow. */
  unitLow?: number;
  unitHigh?: number;
  adcLow?: number;
  adcHigh?: number;
}

function pascal(buf: Buffer, off: number, max: number, s: string): void {
  const n = Math.min(s.length, max - 1);
  buf[off] = n;
  buf.write(s.slice(0, n), off + 1, 'latin1');
}

/** The bytes of a Poly5 file; the digital int16 values are returned too (for exact expectations). */
export function poly5Bytes(a: Poly5WriteArgs): Buffer {
  const format = a.format ?? 'float32';
  const spb = a.samplesPerBlock ?? 100;
  const nch = a.names.length;
  const n = a.data[0]?.length ?? 0;
  const nBlocks = Math.ceil(n / spb);
  const nSignals = format === 'float32' ? 2 * nch : nch;
  const bps = format === 'float32' ? 4 : 2;
  const blockData = spb * nch * bps;
  const h = Buffer.alloc(217);
  h.write('POLY SAMPLE FILEversion 2.03\r\n\x1a', 0, 'latin1');
  h.writeInt16LE(203, 31);
  pascal(h, 33, 81, 'ecgssl test');
  h.writeInt16LE(a.rateHz, 114);
  h.writeInt16LE(a.rateHz, 116);
  h[118] = 0;
  h.writeInt16LE(nSignals, 119);
  h.writeInt32LE(n, 121);
  for (const [i, v] of [2012, 9, 18, 2, 10, 0, 0].entries()) h.writeInt16LE(v, 129 + 2 * i);
  h.writeInt32LE(nBlocks, 143);
  h.writeUInt16LE(spb, 147);
  h.writeUInt16LE(blockData, 149);
  h.writeInt16LE(0, 151);
  const uL = a.unitLow ?? -1000;
  const uH = a.unitHigh ?? 1000;
  const aL = a.adcLow ?? -32768;
  const aH = a.adcHigh ?? 32767;
  const descs: Buffer[] = [];
  for (let c = 0; c < nch; c++) {
    for (const half of format === 'float32' ? ['(Lo) ', '(Hi) '] : ['']) {
      const d = Buffer.alloc(136);
      pascal(d, 0, 41, half + (a.names[c] as string));
      pascal(d, 45, 11, 'uVolt');
      d.writeFloatLE(uL, 56);
      d.writeFloatLE(uH, 60);
      d.writeFloatLE(aL, 64);
      d.writeFloatLE(aH, 68);
      d.writeInt16LE(c, 72);
      descs.push(d);
    }
  }
  const blocks: Buffer[] = [];
  for (let b = 0; b < nBlocks; b++) {
    const blk = Buffer.alloc(86 + blockData);
    blk.writeInt32LE(b * spb, 0);
    for (let p = 0; p < spb; p++) {
      const k = b * spb + p;
      for (let c = 0; c < nch; c++) {
        const v = k < n ? (a.data[c]![k] as number) : 0;
        if (format === 'float32') blk.writeFloatLE(v, 86 + 4 * (p * nch + c));
        else blk.writeInt16LE(Math.round(((v - uL) / (uH - uL)) * (aH - aL) + aL), 86 + 2 * (p * nch + c));
      }
    }
    blocks.push(blk);
  }
  return Buffer.concat([h, ...descs, ...blocks]);
}

export function writePoly5(path: string, a: Poly5WriteArgs): void {
  writeFileSync(path, poly5Bytes(a));
}
