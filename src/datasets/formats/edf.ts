/** The European Data Format (EDF/EDF+): header parsing and one signal in physical units. */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { UserError } from '../../errors.js';
import { excerpt } from '../../util/excerpt.js';

/** One signal of an EDF/EDF+ header. */
export interface EdfSignalHeader {
  label: string;
  physicalDimension: string;
  physicalMin: number;
  physicalMax: number;
  digitalMin: number;
  digitalMax: number;
  /** Samples of this signal in each data record. */
  samplesPerRecord: number;
  /** Sampling rate in Hz: samplesPerRecord / record duration. */
  samplingRateHz: number;
  /** True for the EDF+ `EDF Annotations` channel (not a signal). */
  annotations: boolean;
}

/** Header of an EDF or EDF+ file. */
export interface EdfHeader {
  headerBytes: number;
  dataRecords: number;
  recordDurationS: number;
  /** `EDF+C`, `EDF+D` or empty for plain EDF. */
  reserved: string;
  signals: EdfSignalHeader[];
}

function field(buf: Buffer, off: number, len: number): string {
  return buf.toString('latin1', off, off + len).trim();
}

/** Parses the header of the EDF file at `path`; errors name the file and the bad field. */
export function readEdfHeader(fd: number, path: string): EdfHeader {
  const fileBytes = fstatSync(fd).size;
  const fixed = Buffer.alloc(256);
  if (readSync(fd, fixed, 0, 256, 0) < 256) throw new UserError(`readEdf: ${path} is truncated (header)`);
  if (field(fixed, 0, 8) !== '0')
    throw new UserError(`readEdf: ${path} is not an EDF file (version field is not "0")`);
  const num = (text: string, what: string): number => {
    const v = Number(text);
    if (text === '' || !Number.isFinite(v))
      throw new UserError(`readEdf: ${path} has a bad ${what} field "${excerpt(text)}"`);
    return v;
  };
  const headerBytes = num(field(fixed, 184, 8), 'header size');
  const reserved = field(fixed, 192, 44);
  let dataRecords = num(field(fixed, 236, 8), 'number of data records');
  const recordDurationS = num(field(fixed, 244, 8), 'data record duration');
  const ns = num(field(fixed, 252, 4), 'number of signals');
  if (!Number.isInteger(ns) || ns < 1 || headerBytes !== 256 * (ns + 1))
    throw new UserError(`readEdf: ${path} has ${ns} signals but a header of ${headerBytes} bytes`);
  if (headerBytes > fileBytes)
    throw new UserError(
      `readEdf: ${path} is truncated: the header announces ${headerBytes} header bytes, the file has ${fileBytes}`,
    );
  if (!Number.isInteger(dataRecords) || dataRecords < -1)
    throw new UserError(`readEdf: ${path} has a bad number of data records (${dataRecords})`);
  if (!(recordDurationS >= 0))
    throw new UserError(`readEdf: ${path} has a negative data record duration (${recordDurationS} s)`);
  const sb = Buffer.alloc(256 * ns);
  if (readSync(fd, sb, 0, sb.length, 256) < sb.length)
    throw new UserError(`readEdf: ${path} is truncated (signal headers)`);
  const at = (offset: number, len: number, i: number): string => field(sb, offset * ns + i * len, len);
  const signals: EdfSignalHeader[] = [];
  for (let i = 0; i < ns; i++) {
    const label = at(0, 16, i);
    const samplesPerRecord = num(at(216, 8, i), `samples per record (signal ${i})`);
    if (!Number.isInteger(samplesPerRecord) || samplesPerRecord < 1)
      throw new UserError(`readEdf: ${path} signal ${i} has ${samplesPerRecord} samples per data record`);
    const sig: EdfSignalHeader = {
      label,
      physicalDimension: at(96, 8, i),
      physicalMin: num(at(104, 8, i), `physical minimum (signal ${i})`),
      physicalMax: num(at(112, 8, i), `physical maximum (signal ${i})`),
      digitalMin: num(at(120, 8, i), `digital minimum (signal ${i})`),
      digitalMax: num(at(128, 8, i), `digital maximum (signal ${i})`),
      samplesPerRecord,
      samplingRateHz: recordDurationS > 0 ? samplesPerRecord / recordDurationS : 0,
      annotations: label === 'EDF Annotations',
    };
    if (!sig.annotations && sig.digitalMax === sig.digitalMin)
      throw new UserError(
        `readEdf: ${path} signal "${excerpt(label)}" has digital minimum = maximum (${sig.digitalMin})`,
      );
    const gain = (sig.physicalMax - sig.physicalMin) / (sig.digitalMax - sig.digitalMin);
    if (!sig.annotations && !(Number.isFinite(gain) && Number.isFinite(sig.samplingRateHz)))
      throw new UserError(
        `readEdf: ${path} signal "${excerpt(label)}" has unusable scaling or rate (physical ${sig.physicalMin}..${sig.physicalMax}, ` +
          `digital ${sig.digitalMin}..${sig.digitalMax}, ${samplesPerRecord} samples per ${recordDurationS} s)`,
      );
    signals.push(sig);
  }
  const recordBytes = signals.reduce((a, s) => a + 2 * s.samplesPerRecord, 0);
  const available = Math.floor((fileBytes - headerBytes) / recordBytes);
  if (dataRecords === -1) dataRecords = available;
  if (available < dataRecords)
    throw new UserError(
      `readEdf: ${path} is truncated: the header announces ${dataRecords} data records, the file holds ${available}`,
    );
  return { headerBytes, dataRecords, recordDurationS, reserved, signals };
}

/** Finds a signal by 0-based index (annotation channels excluded) or by label (case-insensitive). */
export function selectEdfSignal(h: EdfHeader, lead: number | string | undefined, path: string): number {
  const real = h.signals.map((s, i) => ({ s, i })).filter((x) => !x.s.annotations);
  if (real.length === 0) throw new UserError(`readEdf: ${path} holds no signal (only annotations)`);
  if (lead === undefined || typeof lead === 'number') {
    const k = lead ?? 0;
    const hit = real[k];
    if (!hit) throw new UserError(`readEdf: ${path} has ${real.length} signal(s); lead ${k} does not exist`);
    return hit.i;
  }
  const hit = real.find((x) => x.s.label.toLowerCase() === lead.toLowerCase());
  if (!hit)
    throw new UserError(
      `readEdf: ${path} has no signal named "${lead}" (signals: ${excerpt(real.map((x) => x.s.label).join(', '), 200)})`,
    );
  return hit.i;
}

/**
 * Reads one signal of an EDF/EDF+ file in physical units: physical = (digital - digitalMin) * (physicalMax -
 * physicalMin) / (digitalMax - digitalMin) + physicalMin (EDF specification, Kemp et al. 1992).
 */
export function readEdfSignal(
  path: string,
  lead: number | string | undefined,
): { samples: Float64Array; samplingRateHz: number; label: string; header: EdfHeader } {
  const fd = openSync(path, 'r');
  try {
    const h = readEdfHeader(fd, path);
    const idx = selectEdfSignal(h, lead, path);
    const sig = h.signals[idx] as EdfSignalHeader;
    if (!(h.recordDurationS > 0))
      throw new UserError(
        `readEdf: ${path} has record duration ${h.recordDurationS}; cannot derive a sampling rate`,
      );
    if (h.reserved.startsWith('EDF+D'))
      throw new UserError(`readEdf: ${path} is discontinuous EDF+ (EDF+D), which is not supported`);
    const recordBytes = h.signals.reduce((a, s) => a + 2 * s.samplesPerRecord, 0);
    const offsetInRecord = h.signals.slice(0, idx).reduce((a, s) => a + 2 * s.samplesPerRecord, 0);
    const n = sig.samplesPerRecord;
    const out = new Float64Array(h.dataRecords * n);
    const gain = (sig.physicalMax - sig.physicalMin) / (sig.digitalMax - sig.digitalMin);
    // One record's samples; the header check guarantees dataRecords records of this size are in the file.
    const buf = Buffer.alloc(h.dataRecords > 0 ? 2 * n : 0);
    for (let r = 0; r < h.dataRecords; r++) {
      const got = readSync(fd, buf, 0, 2 * n, h.headerBytes + r * recordBytes + offsetInRecord);
      if (got < 2 * n) throw new UserError(`readEdf: ${path} is truncated in data record ${r}`);
      for (let i = 0; i < n; i++)
        out[r * n + i] = (buf.readInt16LE(2 * i) - sig.digitalMin) * gain + sig.physicalMin;
    }
    return { samples: out, samplingRateHz: sig.samplingRateHz, label: sig.label, header: h };
  } finally {
    closeSync(fd);
  }
}
