/** Preprocessing (METHOD §1): resampling, high-pass, per-subject normalisation, windows. */
export { resamplePoly } from './resamplePoly.js';
export { resample } from './resample.js';
export {
  createResampler,
  createResamplerForRates,
  type Resampler,
  type ResamplerOptions,
} from './createResampler.js';
export { designResampleFilter, rateRatio } from './resampleFilter.js';
export { butterHighpassSos, type Sos } from './butterHighpassSos.js';
export { sosfiltfilt } from './sosfiltfilt.js';
export { highpass, type HighpassArgs } from './highpass.js';
export { trimmedZScore, type TrimmedZScoreArgs } from './trimmedZScore.js';
export { zscore } from './zscore.js';
export { windowize, countWindows, type WindowizeArgs } from './windowize.js';
export { checkFiniteSamples } from './checkFiniteSamples.js';
export { resampleChunked, RESAMPLE_CHUNK_SAMPLES } from './resampleChunked.js';
export { createPipeline, type PreprocessingPipeline } from './pipeline.js';
export { intervalSegments, type SampleSegment, type TimeInterval } from './intervalSegments.js';
