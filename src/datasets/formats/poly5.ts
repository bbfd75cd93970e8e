/** The TMSi Poly5 format (SWELL-KW recordings): header parsing and chunked channel reads. */
import { closeSync, fstatSync } from 'node:fs';
import { openForReading, readAt } from './fileRead.js';
import { UserError } from '../../errors.js';

/**
 * TMSi Poly5 (`.S00`, `.Poly5`) reader. Layout (TMSi's own reader in the TMSi Python interface and FieldTrip's
 * read_tmsi_poly5.m), little endian:
 * - header, 217 bytes (version 2.03; 218 for 2.04, whose id string is one byte longer): id "POLY SAMPLE
 *   FILEversion 2.03\r\n\x1a" (31), version int16 (203), measurement name (81, Pascal string), sample rate
 *   int16, storage rate int16, storage type uint8, number of signals int16, number of sample periods int32,
 *   4 reserved, start time 7 x int16, number of blocks int32, sample periods per block uint16, data bytes per
 *   block uint16, delta compression flag int16, 64 reserved;
 * - one 136-byte description per signal: name (41, Pascal string), 4 reserved, unit (11, Pascal), unit low,
 *   unit high, ADC low, ADC high (float32), index int16, cache offset int16, 60 reserved;
 * - blocks: an 86-byte block header (period index int32, 4 reserved, DOS time 7 x int16, 64 reserved), then
 *   the samples, channels interleaved per sample period.
 * 32-bit files (TMSi's current software) describe each channel twice, "(Lo) name" and "(Hi) name", and store
 * float32 samples already in physical units. Other files store int16 samples, one per signal, scaled to
 * units with (x - ADC low) / (ADC high - ADC low) * (unit high - unit low) + unit low.
 */
export interface Poly5Header {
  path: string;
  version: number;
  measurementName: string;
  sampleRateHz: number;
  /** Channels (for 32-bit files half the number of signal descriptions). */
  channels: Poly5Channel[];
  format: 'float32' | 'int16';
  /** Sample periods in the file (the last block may be padded beyond it). */
  numSamples: number;
  numBlocks: number;
  samplesPerBlock: number;
  /** Bytes of samples per block (without its 86-byte header). */
  blockDataBytes: number;
  /** Byte offset of the first block. */
  dataOffset: number;
}

export interface Poly5Channel {
  name: string;
  unit: string;
  unitLow: number;
  unitHigh: number;
  adcLow: number;
  adcHigh: number;
}

const MAGIC = 'POLY SAMPLE FILE';
const DESCRIPTION_BYTES = 136;
const BLOCK_HEADER_BYTES = 86;
/** Upper bound of signal descriptions accepted (guards allocation on corrupted headers). */
const MAX_SIGNALS = 4096;

function pascal(b: Buffer, max: number): string {
  const n = Math.min(b[0] ?? 0, max - 1);
  return b
    .subarray(1, 1 + n)
    .toString('latin1')
    .replace(/[^\x20-\x7e\u00a0-\u00ff]/g, '?')
    .trim();
}

/** The `numSignals` 136-byte signal descriptions that start at byte `offset`. */
function signalDescriptions(fd: number, offset: number, numSignals: number): Poly5Channel[] {
  const d = readAt(fd, offset, numSignals * DESCRIPTION_BYTES);
  const signals: Poly5Channel[] = [];
  for (let i = 0; i < numSignals; i++) {
    const s = d.subarray(i * DESCRIPTION_BYTES, (i + 1) * DESCRIPTION_BYTES);
    signals.push({
      name: pascal(s.subarray(0, 41), 41),
      unit: pascal(s.subarray(45, 56), 11),
      unitLow: s.readFloatLE(56),
      unitHigh: s.readFloatLE(60),
      adcLow: s.readFloatLE(64),
      adcHigh: s.readFloatLE(68),
    });
  }
  return signals;
}

function headerOf(fd: number, path: string): Poly5Header {
  const fail = (m: string): never => {
    throw new UserError(`readPoly5: ${path} is not a readable Poly5 file: ${m}`);
  };
  const size = fstatSync(fd).size;
  const h = readAt(fd, 0, 218);
  if (h.length < 217 || h.subarray(0, MAGIC.length).toString('latin1') !== MAGIC)
    fail(`no "${MAGIC}" header (${size} bytes)`);
  let version = h.readInt16LE(31);
  let o = 33;
  if (version !== 203) {
    if (h.length >= 218 && h.readInt16LE(32) === 204) {
      version = 204;
      o = 34;
    } else fail(`unsupported version ${version} (expected 203 or 204)`);
  }
  const headerBytes = o + 184;
  const measurementName = pascal(h.subarray(o, o + 81), 81);
  const sampleRateHz = h.readInt16LE(o + 81);
  const numSignals = h.readInt16LE(o + 86);
  const numSamples = h.readInt32LE(o + 88);
  const numBlocks = h.readInt32LE(o + 110);
  const samplesPerBlock = h.readUInt16LE(o + 114);
  const blockDataBytes = h.readUInt16LE(o + 116);
  const delta = h.readInt16LE(o + 118);
  if (!(sampleRateHz > 0)) fail(`sample rate ${sampleRateHz} Hz`);
  if (numSignals <= 0 || numSignals > MAX_SIGNALS) fail(`${numSignals} signals`);
  if (numSamples < 0 || numBlocks < 0) fail(`${numSamples} samples in ${numBlocks} blocks`);
  if (samplesPerBlock <= 0) fail(`${samplesPerBlock} samples per block`);
  if (delta !== 0) fail('delta-compressed data is not supported');
  const dataOffset = headerBytes + numSignals * DESCRIPTION_BYTES;
  if (dataOffset > size)
    fail(`truncated: ${numSignals} signal descriptions need ${dataOffset} bytes, the file has ${size}`);
  const signals = signalDescriptions(fd, headerBytes, numSignals);
  const paired =
    numSignals % 2 === 0 && signals.every((s, i) => s.name.startsWith(i % 2 === 0 ? '(Lo) ' : '(Hi) '));
  const format = paired ? 'float32' : 'int16';
  const channels = paired
    ? signals.filter((_, i) => i % 2 === 0).map((s) => ({ ...s, name: s.name.slice(5).trim() }))
    : signals;
  const bytesPerSample = paired ? 4 : 2;
  if (blockDataBytes !== samplesPerBlock * channels.length * bytesPerSample)
    fail(
      `a block holds ${blockDataBytes} bytes, ${samplesPerBlock} periods x ${channels.length} ${format} channels need ${samplesPerBlock * channels.length * bytesPerSample}`,
    );
  if (numSamples > numBlocks * samplesPerBlock)
    fail(`${numSamples} samples do not fit in ${numBlocks} blocks of ${samplesPerBlock}`);
  const need = dataOffset + numBlocks * (BLOCK_HEADER_BYTES + blockDataBytes);
  if (need > size) fail(`truncated: ${numBlocks} blocks need ${need} bytes, the file has ${size}`);
  if (format === 'int16')
    for (const c of channels)
      if (![c.unitLow, c.unitHigh, c.adcLow, c.adcHigh].every(Number.isFinite) || c.adcHigh === c.adcLow)
        fail(
          `channel "${c.name}" has an unusable unit scaling (ADC ${c.adcLow}..${c.adcHigh}, unit ${c.unitLow}..${c.unitHigh})`,
        );
  return {
    path,
    version,
    measurementName,
    sampleRateHz,
    channels,
    format,
    numSamples,
    numBlocks,
    samplesPerBlock,
    blockDataBytes,
    dataOffset,
  };
}

/** Reads and checks the header and signal descriptions of a Poly5 file (see {@link Poly5Header}). */
export function readPoly5Header(path: string): Poly5Header {
  const fd = openPoly5(path);
  try {
    return headerOf(fd, path);
  } finally {
    closeSync(fd);
  }
}

function openPoly5(path: string): number {
  return openForReading(path, 'readPoly5');
}

/** The channel index of `lead` (0-based index, or a channel name, case-insensitive) in `h`. */
export function poly5ChannelIndex(h: Poly5Header, lead: number | string): number {
  if (typeof lead === 'number') {
    if (lead >= 0 && lead < h.channels.length) return lead;
    throw new UserError(
      `readPoly5: ${h.path} has ${h.channels.length} channels; channel ${lead} does not exist`,
    );
  }
  const i = h.channels.findIndex((c) => c.name.toLowerCase() === lead.trim().toLowerCase());
  if (i < 0)
    throw new UserError(
      `readPoly5: ${h.path} has no channel "${lead}" (channels: ${h.channels.map((c) => c.name).join(', ')})`,
    );
  return i;
}

/**
 * Streams one channel of a Poly5 file in physical units, a few blocks at a time (about `chunkSamples` samples
 * per yielded chunk), never holding the whole recording. The padding of the last block beyond the declared
 * number of samples is dropped.
 */
export function* readPoly5Chunks(
  path: string,
  lead: number | string,
  chunkSamples = 1 << 16,
): Generator<Float64Array, void, undefined> {
  const fd = openPoly5(path);
  try {
    const h = headerOf(fd, path);
    const ch = poly5ChannelIndex(h, lead);
    const nch = h.channels.length;
    const c = h.channels[ch] as Poly5Channel;
    const scale = h.format === 'int16' ? (c.unitHigh - c.unitLow) / (c.adcHigh - c.adcLow) : 1;
    const blockBytes = BLOCK_HEADER_BYTES + h.blockDataBytes;
    const blocksPerRead = Math.max(
      1,
      Math.min(Math.floor(chunkSamples / h.samplesPerBlock), Math.floor((4 << 20) / blockBytes)),
    );
    let remaining = h.numSamples;
    for (let b = 0; b < h.numBlocks && remaining > 0; b += blocksPerRead) {
      const nb = Math.min(blocksPerRead, h.numBlocks - b);
      const raw = readAt(fd, h.dataOffset + b * blockBytes, nb * blockBytes);
      if (raw.length < nb * blockBytes) throw new UserError(`readPoly5: ${path} is truncated (block ${b})`);
      const n = Math.min(remaining, nb * h.samplesPerBlock);
      const out = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        const blk = Math.floor(k / h.samplesPerBlock);
        const period = k - blk * h.samplesPerBlock;
        const base = blk * blockBytes + BLOCK_HEADER_BYTES;
        out[k] =
          h.format === 'float32'
            ? raw.readFloatLE(base + 4 * (period * nch + ch))
            : (raw.readInt16LE(base + 2 * (period * nch + ch)) - c.adcLow) * scale + c.unitLow;
      }
      remaining -= n;
      yield out;
    }
  } finally {
    closeSync(fd);
  }
}
