/** The six signal transformations of the pretext task (METHOD §2), pure functions `(x, params, rng)`. */
export { addNoise, type AddNoiseArgs } from './addNoise.js';
export { scale, type ScaleArgs } from './scale.js';
export { negate } from './negate.js';
export { flip } from './flip.js';
export { permute, type PermuteArgs } from './permute.js';
export { timeWarp, type TimeWarpArgs } from './timeWarp.js';
export { linearResize } from './linearResize.js';
export { applyTransformation, TRANSFORMATION_NAMES, type TransformationName } from './applyTransformation.js';
