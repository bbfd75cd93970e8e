/**
 * ecgssl library entry. Each concern lives in its own folder (braindecode style) with an index.ts that
 * re-exports its public functions.
 */
export { UserError, InternalError } from './errors.js';
export type { Rng } from './random/types.js';
export * from './config/schema.js';
export type * from './datasets/types.js';
export * from './datasets/index.js';
export type * from './engine/types.js';
export * from './engine/index.js';
export * from './config/index.js';
export * from './results/index.js';
export { canonicalJson, hashCanonical } from './util/canonical.js';
export * from './models/index.js';
export * from './training/index.js';
export * from './plots/index.js';
export * from './random/index.js';
export * from './preprocessing/index.js';
export * from './augmentation/index.js';
export * from './metrics/index.js';
export * from './hrv/index.js';
export * from './report/index.js';
export {
  fitLogisticRegression,
  predictProbaLogisticRegression,
  predictLogisticRegression,
  type LogisticRegressionArgs,
  type LogisticRegressionModel,
} from './models/logisticRegression.js';
export {
  readWfdbAnnotations,
  parseWfdbAnnotations,
  beatAnnotations,
  WFDB_ANNOTATION_SYMBOLS,
  WFDB_BEAT_SYMBOLS,
  type WfdbAnnotations,
} from './datasets/formats/wfdbAnnotations.js';
export { butterLowpassSos } from './preprocessing/butterLowpassSos.js';
