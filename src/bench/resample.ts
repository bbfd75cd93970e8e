/**
 * Resampler benchmark (`npm run bench -- --only resample [--quick]`): streams a 3-hour SWELL-like recording
 * (2048 Hz, 22.1 M samples; quick: 20 min) through createResamplerForRates 2048 -> 256 Hz in 1 s chunks and
 * reports throughput and the growth of ArrayBuffer memory (bounded: independent of the recording length).
 * Also times the one-piece 360 -> 256 Hz path (MIT-BIH) on 30 min of signal.
 */
import { performance } from 'node:perf_hooks';
import { createResamplerForRates, resample } from '../preprocessing/index.js';
import { createRng } from '../random/index.js';

export async function run({ quick }: { json: boolean; quick: boolean }): Promise<object> {
  const sourceRateHz = 2048;
  const seconds = quick ? 20 * 60 : 3 * 3600;
  const rng = createRng(1);
  const chunk = Float64Array.from({ length: sourceRateHz }, () => rng.normal());
  const r = createResamplerForRates({ sourceRateHz, targetRateHz: 256 });
  const before = process.memoryUsage().arrayBuffers;
  let peakGrowth = 0;
  let outSamples = 0;
  const t0 = performance.now();
  for (let s = 0; s < seconds; s++) {
    outSamples += r.push(chunk).length;
    if (s % 600 === 0) peakGrowth = Math.max(peakGrowth, process.memoryUsage().arrayBuffers - before);
  }
  outSamples += r.flush().length;
  const streamS = (performance.now() - t0) / 1000;
  const inSamples = seconds * sourceRateHz;
  const mit = Float64Array.from({ length: 360 * 1800 }, () => rng.normal());
  const t1 = performance.now();
  const y = resample(mit, 360, 256);
  const mitS = (performance.now() - t1) / 1000;
  const result = {
    swellStream: {
      inputSamples: inSamples,
      outputSamples: outSamples,
      seconds: +streamS.toFixed(3),
      megaSamplesPerSecond: +(inSamples / streamS / 1e6).toFixed(2),
      arrayBufferGrowthMiB: +(peakGrowth / 2 ** 20).toFixed(2),
    },
    mitbih360to256: { inputSamples: mit.length, outputSamples: y.length, seconds: +mitS.toFixed(3) },
  };
  process.stderr.write(
    `resample 2048->256 Hz streaming: ${(inSamples / 1e6).toFixed(1)} M samples in ${streamS.toFixed(1)} s ` +
      `(${result.swellStream.megaSamplesPerSecond} M samples/s), buffer growth ${result.swellStream.arrayBufferGrowthMiB} MiB; ` +
      `360->256 Hz 30 min in ${mitS.toFixed(2)} s\n`,
  );
  return { resample: result };
}
