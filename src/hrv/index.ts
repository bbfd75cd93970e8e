/** Heart-rate reference arm: R-peak detection and time-domain heart-rate variability features. */
export { detectRPeaks } from './detectRPeaks.js';
export {
  hrvFeatures,
  hrvFeatureVector,
  HRV_FEATURE_NAMES,
  HRV_MIN_BEATS,
  type HrvFeatures,
  type HrvWindowFeatures,
} from './hrvFeatures.js';
export {
  subjectRelativeFeatures,
  hrvRelativeFeatureVector,
  HRV_RELATIVE_FEATURE_NAMES,
  type HrvRelativeWindowFeatures,
} from './subjectRelativeFeatures.js';
