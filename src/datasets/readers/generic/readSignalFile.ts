/** One recording file of the generic format (`.npy`, `.csv`, `.edf`) read as one lead at a known rate. */
import { extname } from 'node:path';
import { UserError } from '../../../errors.js';
import { createResamplerForRates } from '../../../preprocessing/index.js';
import { appendCheckedChunks, checkFinite } from '../../formats/checkFinite.js';
import { readCsvSignal } from '../../formats/csv.js';
import { readEdfSignal } from '../../formats/edf.js';
import { concatFloat64 } from '../../formats/fileRead.js';
import { inspectNpy, npyDims, readNpyChannelChunks } from '../../formats/npy.js';

/** File extensions the generic reader reads as recordings. */
export const GENERIC_EXTENSIONS = ['.npy', '.csv', '.edf'] as const;

/** Samples per chunk when streaming `.npy` recordings through the resampler. */
const NPY_CHUNK = 1 << 18;

function leadIndex(lead: number | string | undefined, path: string): number {
  if (lead === undefined) return 0;
  if (typeof lead === 'number') return lead;
  throw new UserError(
    `readGeneric: ${path} is a .npy file; its channels have no names, give data.lead as an index`,
  );
}

/**
 * Reads one lead of one recording file (`.npy`, `.csv`, `.edf`). The rate is the file's own (EDF; a different
 * `declaredHz` is an error), else `declaredHz` (labels.csv), else `fallbackHz` (data.samplingRateHz), else an error. `.npy` files are read in chunks; when
 * `targetRateHz` differs from the file's rate they are resampled chunk by chunk while reading (the result equals
 * resampling the whole signal at once), so a long recording never sits in memory at its source rate.
 */
export function readSignalFile(
  path: string,
  lead: number | string | undefined,
  rates: { declaredHz?: number | undefined; fallbackHz?: number | undefined },
  targetRateHz: number | undefined,
): { samples: Float64Array; samplingRateHz: number } {
  const ext = extname(path).toLowerCase();
  if (ext === '.edf') {
    const r = readEdfSignal(path, lead);
    const declared = rates.declaredHz;
    if (declared !== undefined && Math.abs(declared - r.samplingRateHz) > 1e-9)
      throw new UserError(
        `readGeneric: ${path} stores ${r.samplingRateHz} Hz but labels.csv says ${declared} Hz`,
      );
    checkFinite(r.samples, path);
    return { samples: r.samples, samplingRateHz: r.samplingRateHz };
  }
  const rateHz = rates.declaredHz ?? rates.fallbackHz;
  if (rateHz === undefined)
    throw new UserError(
      `readGeneric: ${path} does not store its sampling rate: set data.samplingRateHz or a samplingRateHz column in labels.csv`,
    );
  if (ext === '.csv') {
    const { samples } = readCsvSignal(path, lead);
    return { samples, samplingRateHz: rateHz };
  }
  const channel = leadIndex(lead, path);
  const h = inspectNpy(path);
  if (channel >= npyDims(h).channels)
    throw new UserError(
      `readNpy: ${path} has ${npyDims(h).channels} channel(s); lead ${channel} does not exist`,
    );
  const resampler =
    targetRateHz !== undefined && targetRateHz !== rateHz
      ? createResamplerForRates({ sourceRateHz: rateHz, targetRateHz })
      : undefined;
  const parts = appendCheckedChunks(readNpyChannelChunks(path, channel, NPY_CHUNK), path, [], resampler);
  if (resampler) parts.push(resampler.flush());
  return { samples: concatFloat64(parts), samplingRateHz: resampler ? (targetRateHz as number) : rateHz };
}
