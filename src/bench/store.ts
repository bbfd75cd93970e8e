/**
 * Window-store benchmark (`npm run build && node scripts/bench.mjs --only store [--quick]`): prepares a generic
 * dataset shaped like SWELL (METHOD §1: 2048 Hz ECG, resampled to 256 Hz, high-passed, trimmed-z-scored per subject,
 * 10 s windows) and reports peak RSS and throughput. Each subject has 3 recordings of 1 h (3 h in all, like a
 * SWELL participant); quick mode prepares 2 subjects, full mode 6. Memory is bounded by one subject, so the peak
 * RSS of 2 or 6 subjects is that of all 25 SWELL participants. The recordings are `.npy` float32 files written
 * chunk by chunk from a 60 s synthetic ECG (simulateEcg) tiled with a slow drift, into a temporary folder that is
 * deleted afterwards.
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { dataSourceSchema, preprocessingSchema } from '../config/schema.js';
import { npyHeaderBytes } from '../datasets/formats/npy.js';
import { prepareSource } from '../datasets/prepareSource.js';
import { openWindowStore } from '../datasets/store.js';
import { restingEcgArgs, simulateEcg } from '../datasets/readers/synthetic/ecgsyn.js';
import { createRng } from '../random/index.js';

const RATE_HZ = 2048;
const RECORDING_S = 3600;
const RECORDINGS_PER_SUBJECT = 3;

function writeLongRecording(path: string, tile: Float64Array, seconds: number, phase: number): number {
  const n = seconds * RATE_HZ;
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, npyHeaderBytes('<f4', [n]));
    const chunk = new Float32Array(tile.length);
    for (let s0 = 0; s0 < n; s0 += tile.length) {
      const m = Math.min(tile.length, n - s0);
      for (let i = 0; i < m; i++) {
        const t = (s0 + i) / RATE_HZ;
        chunk[i] = (tile[i] as number) + 0.2 * Math.sin(2 * Math.PI * 0.01 * t + phase);
      }
      writeSync(fd, chunk.subarray(0, m));
    }
  } finally {
    closeSync(fd);
  }
  return n;
}

/** Runs the benchmark; returns `{ store: { ... } }`. */
export async function run({ quick }: { json: boolean; quick: boolean }): Promise<object> {
  const subjects = quick ? 2 : 6;
  const dir = mkdtempSync(join(tmpdir(), 'ecgssl-bench-store-'));
  try {
    const root = join(dir, 'data');
    const tile = simulateEcg(restingEcgArgs(60, RATE_HZ), createRng(1)).ecgMv;
    let inputSamples = 0;
    const t0 = performance.now();
    for (let s = 0; s < subjects; s++) {
      mkdirSync(join(root, `pp${s + 1}`), { recursive: true });
      for (let r = 0; r < RECORDINGS_PER_SUBJECT; r++)
        inputSamples += writeLongRecording(
          join(root, `pp${s + 1}`, `c${r + 1}.npy`),
          tile,
          RECORDING_S,
          s + r,
        );
    }
    const writeSeconds = (performance.now() - t0) / 1000;
    const rssBeforeMiB = process.memoryUsage().rss / 2 ** 20;
    const source = dataSourceSchema.parse({ kind: 'generic', root, samplingRateHz: RATE_HZ });
    const pre = preprocessingSchema.parse({});
    const t1 = performance.now();
    const summary = await prepareSource(source, pre, join(dir, 'cache'), { progress: false });
    const prepareSeconds = (performance.now() - t1) / 1000;
    const peakRssMiB = process.resourceUsage().maxRSS / 1024;
    const store = openWindowStore(summary.storeDir);
    const idx = Array.from({ length: 256 }, (_, k) => (k * 7919) % store.entries.length);
    const t2 = performance.now();
    let reads = 0;
    while (performance.now() - t2 < 500) {
      store.read(idx);
      reads++;
    }
    const randomReadWindowsPerSecond = (reads * idx.length) / ((performance.now() - t2) / 1000);
    store.close();
    const result = {
      subjects,
      hoursPerSubject: (RECORDINGS_PER_SUBJECT * RECORDING_S) / 3600,
      sourceRateHz: RATE_HZ,
      inputSamples,
      windows: summary.windows,
      writeSeconds: Number(writeSeconds.toFixed(2)),
      prepareSeconds: Number(prepareSeconds.toFixed(2)),
      inputSamplesPerSecond: Math.round(inputSamples / prepareSeconds),
      rssBeforePrepareMiB: Math.round(rssBeforeMiB),
      peakRssMiB: Math.round(peakRssMiB),
      underOneGiB: peakRssMiB < 1024,
      randomReadWindowsPerSecond: Math.round(randomReadWindowsPerSecond),
    };
    process.stderr.write(
      `store: ${subjects} subjects x 3 h at ${RATE_HZ} Hz (${(inputSamples / 1e6).toFixed(0)} M samples) -> ` +
        `${summary.windows} windows in ${prepareSeconds.toFixed(1)} s (${(result.inputSamplesPerSecond / 1e6).toFixed(1)} M samples/s), ` +
        `peak RSS ${result.peakRssMiB} MiB; random reads ${result.randomReadWindowsPerSecond} windows/s\n`,
    );
    return { store: result };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
