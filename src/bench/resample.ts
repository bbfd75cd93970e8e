/**
 * Resampler benchmark (`npm run bench -- --only resample [--quick]`): streams a 3-hour SWELL-like recording
 * (2048 Hz, 22.1 M samples; quick: 20 min) through createResamplerForRates 2048 -> 256 Hz in 1 s chunks and
 * reports throughput (WebAssembly SIMD kernel and plain JavaScript) and the growth of ArrayBuffer memory of the
 * plain JavaScript run (bounded: independent of the recording length). The SIMD run's buffer lives in WebAssembly
 * memory, which process.memoryUsage().arrayBuffers does not count; it grows by the same sizing (growBuffer).
 * Also times the one-piece 360 -> 256 Hz path (MIT-BIH) on 30 min of signal.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createResampler, resample } from '../preprocessing/index.js';
import { createRng } from '../random/index.js';

export async function run({ quick }: { json: boolean; quick: boolean }): Promise<object> {
  const sourceRateHz = 2048;
  const seconds = quick ? 20 * 60 : 3 * 3600;
  const rng = createRng(1);
  const chunk = Float64Array.from({ length: sourceRateHz }, () => rng.normal());
  const stream = (simd: boolean): { seconds: number; outSamples: number; peakGrowth: number } => {
    const r = createResampler(1, 8, { simd }); // 2048 -> 256 Hz
    const before = process.memoryUsage().arrayBuffers;
    let peakGrowth = 0;
    let outSamples = 0;
    const t0 = performance.now();
    for (let s = 0; s < seconds; s++) {
      outSamples += r.push(chunk).length;
      if (s % 600 === 0) peakGrowth = Math.max(peakGrowth, process.memoryUsage().arrayBuffers - before);
    }
    outSamples += r.flush().length;
    return { seconds: (performance.now() - t0) / 1000, outSamples, peakGrowth };
  };
  const js = stream(false);
  const simd = stream(true);
  const streamS = simd.seconds;
  const outSamples = simd.outSamples;
  // From the plain JavaScript run only: arrayBuffers does not count the SIMD run's WebAssembly memory growth, and
  // both runs size their input buffer alike (createResampler's growBuffer).
  const peakGrowth = js.peakGrowth;
  const inSamples = seconds * sourceRateHz;
  const mit = Float64Array.from({ length: 360 * 1800 }, () => rng.normal());
  const t1 = performance.now();
  const y = resample(mit, 360, 256);
  const mitS = (performance.now() - t1) / 1000;
  // The peer: scipy.signal.resample_poly in one piece on 10 min at 2048 Hz, when a python3 with scipy is present.
  const py = spawnSync(
    'python3',
    [
      '-c',
      'import time,numpy as np,scipy.signal as s\nx=np.random.default_rng(1).standard_normal(2048*600)\n' +
        's.resample_poly(x[:4096],1,8)\nt=time.perf_counter();s.resample_poly(x,1,8);print(len(x)/(time.perf_counter()-t)/1e6)',
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  const scipyMsps = py.status === 0 ? Number(py.stdout.trim()) : null;
  const result = {
    scipyResamplePoly:
      scipyMsps === null
        ? { skipped: 'python3 with scipy not found' }
        : { megaSamplesPerSecond: +scipyMsps.toFixed(2) },
    swellStream: {
      inputSamples: inSamples,
      outputSamples: outSamples,
      seconds: +streamS.toFixed(3),
      megaSamplesPerSecond: +(inSamples / streamS / 1e6).toFixed(2),
      arrayBufferGrowthMiB: +(peakGrowth / 2 ** 20).toFixed(2),
      plainJsMegaSamplesPerSecond: +(inSamples / js.seconds / 1e6).toFixed(2),
    },
    mitbih360to256: { inputSamples: mit.length, outputSamples: y.length, seconds: +mitS.toFixed(3) },
  };
  process.stderr.write(
    `resample 2048->256 Hz streaming: ${(inSamples / 1e6).toFixed(1)} M samples in ${streamS.toFixed(1)} s ` +
      `(${result.swellStream.megaSamplesPerSecond} M samples/s with wasm SIMD, ${result.swellStream.plainJsMegaSamplesPerSecond} in plain JS), buffer growth ${result.swellStream.arrayBufferGrowthMiB} MiB; ` +
      `360->256 Hz 30 min in ${mitS.toFixed(2)} s; scipy resample_poly ${scipyMsps === null ? 'not available' : `${scipyMsps.toFixed(1)} M samples/s`}\n`,
  );
  return { resample: result };
}
