/** The WFDB record format (PhysioNet): `.hea` header parsing and signal decoding (formats 212, 16, 80). */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { UserError } from '../../errors.js';
import { excerpt } from '../../util/excerpt.js';

/** One signal line of a WFDB header. */
export interface WfdbSignal {
  fileName: string;
  format: number;
  /** Byte offset of the first sample in the signal file (the `+offset` suffix). */
  byteOffset: number;
  /** ADC units per physical unit (0 in the header means the WFDB default, 200). */
  gain: number;
  baseline: number;
  units: string;
  adcResolution: number;
  adcZero: number;
  initialValue: number | undefined;
  checksum: number | undefined;
  description: string;
}

/** A parsed WFDB `.hea` header (single-segment records). */
export interface WfdbHeader {
  record: string;
  samplingRateHz: number;
  /** Samples per signal; undefined when the header omits it (then derived from the file size). */
  samples: number | undefined;
  signals: WfdbSignal[];
}

/** Signal formats this reader decodes (PhysioNet WFDB: 212 = 12-bit packed pairs, 16 = int16 LE, 80 = 8-bit offset). */
export const WFDB_FORMATS = [212, 16, 80] as const;

/** Parses the text of a WFDB header (PhysioNet `header(5)`); `path` is for error messages. */
export function parseWfdbHeader(text: string, path: string): WfdbHeader {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter((l) => l.length > 0);
  const recLine = lines[0];
  if (recLine === undefined) throw new UserError(`readWfdb: ${path} has no record line`);
  const rec = recLine.split(/\s+/);
  const [name, nsigText, fsText, nsampText] = rec;
  if (name === undefined || name.includes('/'))
    throw new UserError(`readWfdb: ${path}: multi-segment records are not supported ("${excerpt(recLine)}")`);
  const nsig = Number(nsigText);
  if (!Number.isInteger(nsig) || nsig < 1)
    throw new UserError(`readWfdb: ${path}: bad signal count "${excerpt(nsigText ?? '')}"`);
  const fs = fsText === undefined ? 250 : Number(fsText.split(/[/(]/)[0]);
  if (!(Number.isFinite(fs) && fs > 0))
    throw new UserError(`readWfdb: ${path}: bad sampling frequency "${excerpt(fsText ?? '')}"`);
  const samples = nsampText === undefined ? undefined : Number(nsampText);
  if (samples !== undefined && !(Number.isInteger(samples) && samples >= 0))
    throw new UserError(`readWfdb: ${path}: bad number of samples "${excerpt(nsampText ?? '')}"`);
  if (lines.length < 1 + nsig)
    throw new UserError(
      `readWfdb: ${path} announces ${nsig} signals but has ${lines.length - 1} signal lines`,
    );
  const signals: WfdbSignal[] = [];
  for (let i = 0; i < nsig; i++) {
    const parts = (lines[1 + i] as string).split(/\s+/);
    const [fileName, fmtText, gainText, resText, zeroText, initText, sumText, _blockSize, ...desc] = parts;
    const fm = /^(\d+)(x\d+)?(:\d+)?(\+\d+)?$/.exec(fmtText ?? '');
    if (!fileName || !fm)
      throw new UserError(`readWfdb: ${path} signal ${i}: bad format field "${excerpt(fmtText ?? '')}"`);
    const format = Number(fm[1]);
    if (fm[2] !== undefined && fm[2] !== 'x1')
      throw new UserError(
        `readWfdb: ${path} signal ${i}: multiple samples per frame (${excerpt(fm[2])}) are not supported`,
      );
    if (!(WFDB_FORMATS as readonly number[]).includes(format))
      throw new UserError(
        `readWfdb: ${path} signal ${i}: signal format ${format} is not supported (supported: ${WFDB_FORMATS.join(', ')})`,
      );
    const adcZero = zeroText === undefined ? 0 : Number(zeroText);
    if (!Number.isSafeInteger(adcZero))
      throw new UserError(`readWfdb: ${path} signal ${i}: bad ADC zero "${excerpt(zeroText ?? '')}"`);
    let gain = 200;
    let baseline = adcZero;
    let units = 'mV';
    if (gainText !== undefined) {
      const gm = /^([-+0-9.eE]+)(\((-?\d+)\))?(\/(\S+))?$/.exec(gainText);
      if (!gm) throw new UserError(`readWfdb: ${path} signal ${i}: bad gain field "${excerpt(gainText)}"`);
      const g = Number(gm[1]);
      if (!Number.isFinite(g) || g < 0)
        throw new UserError(`readWfdb: ${path} signal ${i}: bad gain field "${excerpt(gainText)}"`);
      gain = g === 0 ? 200 : g;
      if (gm[3] !== undefined) baseline = Number(gm[3]);
      if (gm[5] !== undefined) units = gm[5];
    }
    signals.push({
      fileName,
      format,
      byteOffset: fm[4] === undefined ? 0 : Number(fm[4].slice(1)),
      gain,
      baseline,
      units,
      adcResolution: resText === undefined ? 12 : Number(resText),
      adcZero,
      initialValue: initText === undefined ? undefined : Number(initText),
      checksum: sumText === undefined ? undefined : Number(sumText),
      description: desc.join(' ') || `signal ${i}`,
    });
  }
  return { record: name, samplingRateHz: fs, samples, signals };
}

/** Picks a signal by 0-based index or by description (case-insensitive, e.g. `MLII`, `ii`, `v5`). */
export function selectWfdbSignal(h: WfdbHeader, lead: number | string | undefined, path: string): number {
  if (lead === undefined || typeof lead === 'number') {
    const k = lead ?? 0;
    if (k >= h.signals.length)
      throw new UserError(`readWfdb: ${path} has ${h.signals.length} signal(s); lead ${k} does not exist`);
    return k;
  }
  const k = h.signals.findIndex((s) => s.description.toLowerCase() === lead.toLowerCase());
  if (k < 0)
    throw new UserError(
      `readWfdb: ${path} has no signal named "${lead}" (signals: ${excerpt(h.signals.map((s) => s.description).join(', '), 200)})`,
    );
  return k;
}

/** Reads the `.dat` file that holds `sig` (named in the header at `headerPath`), checking where it is and its size. */
function readSignalFile(headerPath: string, sig: WfdbSignal): { bytes: Buffer; datShown: string } {
  if (isAbsolute(sig.fileName) || sig.fileName.split(/[\\/]/).includes('..'))
    throw new UserError(
      `readWfdb: ${headerPath} names signal file "${excerpt(sig.fileName)}" outside the record's folder; not supported`,
    );
  const datPath = join(dirname(headerPath), sig.fileName);
  // The signal file's name comes from the header: quote it safely in messages.
  const datShown = excerpt(datPath, 300);
  if (!existsSync(datPath))
    throw new UserError(`readWfdb: signal file ${datShown} (named in ${headerPath}) is missing`);
  if (!statSync(datPath).isFile())
    throw new UserError(`readWfdb: signal file ${datShown} (named in ${headerPath}) is not a file`);
  const bytes = readFileSync(datPath);
  if (sig.byteOffset > bytes.length)
    throw new UserError(
      `readWfdb: ${datShown} is truncated: ${headerPath} puts the samples at byte ${sig.byteOffset}, the file has ${bytes.length}`,
    );
  return { bytes, datShown };
}

/**
 * Reads one signal of a WFDB record in physical units: (adc - baseline) / gain (mV for ECG). Signals sharing a
 * `.dat` file are interleaved frame by frame; format 212 packs each pair of 12-bit samples of that stream in 3
 * bytes, format 16 is little-endian int16, format 80 is 8-bit with offset 128. The header's checksum (16-bit sum
 * of the signal's samples) and the file length are checked. Invalid samples (the format's most negative value)
 * are an error.
 */
export function readWfdbSignal(
  headerPath: string,
  lead: number | string | undefined,
): { samples: Float64Array; samplingRateHz: number; signal: WfdbSignal; header: WfdbHeader } {
  if (!existsSync(headerPath)) throw new UserError(`readWfdb: no header file ${headerPath}`);
  const h = parseWfdbHeader(readFileSync(headerPath, 'latin1'), headerPath);
  const idx = selectWfdbSignal(h, lead, headerPath);
  const sig = h.signals[idx] as WfdbSignal;
  const inFile = h.signals.filter((s) => s.fileName === sig.fileName);
  const j = inFile.indexOf(sig);
  if (inFile.some((s) => s.format !== sig.format))
    throw new UserError(
      `readWfdb: ${headerPath}: signals in ${excerpt(sig.fileName)} mix formats; not supported`,
    );
  const { bytes, datShown } = readSignalFile(headerPath, sig);
  const m = inFile.length;
  const avail = bytes.length - sig.byteOffset;
  const framesInFile =
    sig.format === 212
      ? Math.floor((avail * 2) / 3 / m)
      : sig.format === 16
        ? Math.floor(avail / 2 / m)
        : Math.floor(avail / m);
  const n = h.samples ?? framesInFile;
  if (framesInFile < n)
    throw new UserError(
      `readWfdb: ${datShown} is truncated: ${headerPath} announces ${n} samples per signal, the file holds ${framesInFile}`,
    );
  const out = new Float64Array(n);
  const invalid = sig.format === 212 ? -2048 : sig.format === 16 ? -32768 : -128;
  let sum = 0;
  const o = sig.byteOffset;
  for (let t = 0; t < n; t++) {
    const k = t * m + j;
    let v: number;
    if (sig.format === 212) {
      const p = o + 3 * (k >> 1);
      const b1 = bytes[p + 1] as number;
      v =
        (k & 1) === 0
          ? (bytes[p] as number) | ((b1 & 0x0f) << 8)
          : (bytes[p + 2] as number) | ((b1 & 0xf0) << 4);
      if (v > 2047) v -= 4096;
    } else if (sig.format === 16) {
      v = bytes.readInt16LE(o + 2 * k);
    } else {
      v = (bytes[o + k] as number) - 128;
    }
    if (v === invalid)
      throw new UserError(
        `readWfdb: ${datShown} signal "${excerpt(sig.description)}" has an invalid (missing) sample at ${t}`,
      );
    sum += v;
    const x = (v - sig.baseline) / sig.gain;
    if (!Number.isFinite(x))
      throw new UserError(
        `readWfdb: ${datShown} signal "${excerpt(sig.description)}" sample ${t} is not finite in physical units (gain ${sig.gain}): bad header ${headerPath}`,
      );
    out[t] = x;
  }
  if (sig.checksum !== undefined && h.samples !== undefined) {
    const s16 = (((sum % 65536) + 65536 + 32768) % 65536) - 32768;
    if (s16 !== sig.checksum)
      throw new UserError(
        `readWfdb: ${datShown} signal "${excerpt(sig.description)}" fails its checksum (header ${sig.checksum}, data ${s16}): corrupt file`,
      );
  }
  return { samples: out, samplingRateHz: h.samplingRateHz, signal: sig, header: h };
}
