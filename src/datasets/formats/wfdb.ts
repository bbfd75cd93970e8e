/** The WFDB record format (PhysioNet): `.hea` header parsing and signal decoding (formats 212, 16, 80; multi-rate frames). */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { UserError } from '../../errors.js';
import { excerpt } from '../../util/excerpt.js';

/** One signal line of a WFDB header. */
export interface WfdbSignal {
  fileName: string;
  format: number;
  /** Samples of this signal in each frame (the `x32` of `16x32`; 1 when absent): its rate is the frame rate times this. */
  samplesPerFrame: number;
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
  /** The frame rate in Hz (the rate of a signal with one sample per frame). */
  samplingRateHz: number;
  /** Frames (samples per signal at one sample per frame); undefined when the header omits it (then from the file size). */
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
    const samplesPerFrame = fm[2] === undefined ? 1 : Number(fm[2].slice(1));
    if (!(Number.isSafeInteger(samplesPerFrame) && samplesPerFrame >= 1 && samplesPerFrame <= 65536))
      throw new UserError(
        `readWfdb: ${path} signal ${i}: bad samples per frame "${excerpt(fm[2] ?? '')}" in format field "${excerpt(fmtText ?? '')}"`,
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
      samplesPerFrame,
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

/** Where a signal's samples lie in its file's interleaved sample stream: frame width and offset inside a frame. */
interface FrameLayout {
  /** Samples per frame of all the signals in the file together. */
  frameSamples: number;
  /** Index of the signal's first sample inside a frame. */
  offset: number;
  /** The signal's samples per frame. */
  spf: number;
}

/** The frame layout of signal `sig` among the signals `inFile` (in header order) that share its `.dat` file. */
function frameLayout(inFile: readonly WfdbSignal[], sig: WfdbSignal): FrameLayout {
  let offset = 0;
  for (const s of inFile) {
    if (s === sig) break;
    offset += s.samplesPerFrame;
  }
  return {
    frameSamples: inFile.reduce((a, s) => a + s.samplesPerFrame, 0),
    offset,
    spf: sig.samplesPerFrame,
  };
}

/** Samples of the interleaved stream that `bytes` bytes hold in `format`. */
function streamSamples(format: number, bytes: number): number {
  return format === 212 ? Math.floor((bytes * 2) / 3) : format === 16 ? Math.floor(bytes / 2) : bytes;
}

/** Sample `k` of the interleaved stream starting at byte `o` (212: pairs packed in 3 bytes; 16: int16 LE; 80: 8-bit). */
function streamSample(bytes: Buffer, format: number, o: number, k: number): number {
  if (format === 212) {
    const p = o + 3 * (k >> 1);
    const b1 = bytes[p + 1] as number;
    const v =
      (k & 1) === 0
        ? (bytes[p] as number) | ((b1 & 0x0f) << 8)
        : (bytes[p + 2] as number) | ((b1 & 0xf0) << 4);
    return v > 2047 ? v - 4096 : v;
  }
  if (format === 16) return bytes.readInt16LE(o + 2 * k);
  return (bytes[o + k] as number) - 128;
}

/** Checks the header's checksum (16-bit sum of the signal's samples) against the sum of the decoded samples. */
function checkChecksum(sig: WfdbSignal, sum: number, datShown: string): void {
  const s16 = (((sum % 65536) + 65536 + 32768) % 65536) - 32768;
  if (s16 !== sig.checksum)
    throw new UserError(
      `readWfdb: ${datShown} signal "${excerpt(sig.description)}" fails its checksum (header ${sig.checksum}, data ${s16}): corrupt file`,
    );
}

/** Decodes `frames` frames of signal `sig` (layout `lay`) from its file's bytes into physical units; returns the sum. */
function decodeSignal(
  bytes: Buffer,
  sig: WfdbSignal,
  lay: FrameLayout,
  out: Float64Array,
  where: { datShown: string; headerPath: string },
): number {
  const invalid = sig.format === 212 ? -2048 : sig.format === 16 ? -32768 : -128;
  let sum = 0;
  for (let i = 0; i < out.length; i++) {
    const frame = Math.floor(i / lay.spf);
    const v = streamSample(
      bytes,
      sig.format,
      sig.byteOffset,
      frame * lay.frameSamples + lay.offset + (i % lay.spf),
    );
    if (v === invalid)
      throw new UserError(
        `readWfdb: ${where.datShown} signal "${excerpt(sig.description)}" has an invalid (missing) sample at ${i}`,
      );
    sum += v;
    const x = (v - sig.baseline) / sig.gain;
    if (!Number.isFinite(x))
      throw new UserError(
        `readWfdb: ${where.datShown} signal "${excerpt(sig.description)}" sample ${i} is not finite in physical units (gain ${sig.gain}): bad header ${where.headerPath}`,
      );
    out[i] = x;
  }
  return sum;
}

/**
 * Reads one signal of a WFDB record in physical units: (adc - baseline) / gain (mV for ECG). Signals sharing a
 * `.dat` file are interleaved frame by frame: each frame holds `samplesPerFrame` consecutive samples of each signal
 * in header order (`16x32`: 32 samples per frame), so a signal's rate is the frame rate times its samples per frame
 * (multi-rate records such as PhysioNet drivedb). Format 212 packs each pair of 12-bit samples of that stream in 3
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
  if (inFile.some((s) => s.format !== sig.format))
    throw new UserError(
      `readWfdb: ${headerPath}: signals in ${excerpt(sig.fileName)} mix formats; not supported`,
    );
  const { bytes, datShown } = readSignalFile(headerPath, sig);
  const lay = frameLayout(inFile, sig);
  const framesInFile = Math.floor(
    streamSamples(sig.format, bytes.length - sig.byteOffset) / lay.frameSamples,
  );
  const n = h.samples ?? framesInFile;
  if (framesInFile < n)
    throw new UserError(
      `readWfdb: ${datShown} is truncated: ${headerPath} announces ${n} ${lay.frameSamples > inFile.length ? 'frames' : 'samples per signal'}, the file holds ${framesInFile}`,
    );
  const out = new Float64Array(n * lay.spf);
  const sum = decodeSignal(bytes, sig, lay, out, { datShown, headerPath });
  if (sig.checksum !== undefined && h.samples !== undefined) checkChecksum(sig, sum, datShown);
  return { samples: out, samplingRateHz: h.samplingRateHz * lay.spf, signal: sig, header: h };
}
