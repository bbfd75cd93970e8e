// The transformation table (METHOD §2): heads, loss weights, config keys, history columns and figures derive from it.
import type { Rng } from '../random/types.js';
import { addNoise, addNoiseArgsSchema } from './addNoise.js';
import { flip } from './flip.js';
import { identity } from './identity.js';
import { negate } from './negate.js';
import { permute, permuteArgsSchema } from './permute.js';
import { scale, scaleArgsSchema, type ScaleArgs } from './scale.js';
import { timeWarp, timeWarpArgsSchema } from './timeWarp.js';
import type { Transformation } from './types.js';

/** `apply` of a transformation without parameters or draws: `f(x, out)`. */
const withoutParams =
  (f: (x: Float32Array, out: Float32Array) => Float32Array) =>
  (x: Float32Array, _p: undefined, _rng: Rng, out: Float32Array): Float32Array =>
    f(x, out);

/**
 * The pretext transformations in head order (METHOD §2-3): entry i is head i and pretext class i; entry 0 is the
 * untransformed window. Default loss weights are the authors' (METHOD §3). To add a transformation: one entry here
 * (or pass `[...TRANSFORMATIONS, extra]` as the `transformationTable` of the pretraining functions), its function
 * file, its test. The order of the entries is the order of the random draws per window: do not reorder.
 */
export const TRANSFORMATIONS = [
  {
    name: 'original',
    apply: withoutParams(identity),
    defaultLossWeight: 0.195,
    galleryLabel: 'original',
  },
  {
    name: 'noise',
    apply: addNoise,
    paramsSchema: addNoiseArgsSchema,
    defaultLossWeight: 0.195,
    galleryLabel: 'noise addition',
  },
  {
    name: 'scale',
    apply: (x: Float32Array, p: ScaleArgs, _rng: Rng, out: Float32Array) => scale(x, p, out),
    paramsSchema: scaleArgsSchema,
    defaultLossWeight: 0.195,
    galleryLabel: 'scaling',
  },
  {
    name: 'negate',
    apply: withoutParams(negate),
    defaultLossWeight: 0.0125,
    galleryLabel: 'negation',
  },
  {
    name: 'flip',
    apply: withoutParams(flip),
    defaultLossWeight: 0.0125,
    galleryLabel: 'temporal inversion',
  },
  {
    name: 'permute',
    apply: permute,
    paramsSchema: permuteArgsSchema,
    defaultLossWeight: 0.195,
    galleryLabel: 'permutation',
  },
  {
    name: 'timeWarp',
    apply: timeWarp,
    paramsSchema: timeWarpArgsSchema,
    defaultLossWeight: 0.195,
    galleryLabel: 'time-warping',
  },
] as const satisfies readonly Transformation[];

/** The names of {@link TRANSFORMATIONS} in head order. */
export const TRANSFORMATION_NAMES = TRANSFORMATIONS.map((t) => t.name);

/** The name of one of the built-in {@link TRANSFORMATIONS}. */
export type TransformationName = (typeof TRANSFORMATIONS)[number]['name'];
