// The pretext transformations (METHOD §2): pure functions `(x, params, rng)` and the table they are listed in.
export { addNoise, addNoiseArgsSchema, type AddNoiseArgs } from './addNoise.js';
export { scale, scaleArgsSchema, type ScaleArgs } from './scale.js';
export { negate } from './negate.js';
export { flip } from './flip.js';
export { identity } from './identity.js';
export { permute, permuteArgsSchema, type PermuteArgs } from './permute.js';
export { timeWarp, timeWarpArgsSchema, type TimeWarpArgs } from './timeWarp.js';
export { linearResize } from './linearResize.js';
export { TRANSFORMATIONS, TRANSFORMATION_NAMES, type TransformationName } from './transformations.js';
export type { Transformation, TransformationTable, TransformationParams } from './types.js';
export { checkTransformationTable, MAX_TRANSFORMATIONS } from './checkTransformationTable.js';
export { transformationsSchemaOf, type TransformationsShape } from './transformationsSchemaOf.js';
export { applyTransformation } from './applyTransformation.js';
