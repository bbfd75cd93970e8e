import type { TransformationsConfig } from '../config/schema.js';
import { UserError } from '../errors.js';
import type { Rng } from '../random/types.js';
import { addNoise } from './addNoise.js';
import { flip } from './flip.js';
import { negate } from './negate.js';
import { permute } from './permute.js';
import { scale } from './scale.js';
import { timeWarp } from './timeWarp.js';

/** The 7 pretext classes in head order (METHOD §2-3): index 0 is the untransformed window. */
export const TRANSFORMATION_NAMES = [
  'original',
  'noise',
  'scale',
  'negate',
  'flip',
  'permute',
  'timeWarp',
] as const;

/** One of {@link TRANSFORMATION_NAMES}. */
export type TransformationName = (typeof TRANSFORMATION_NAMES)[number];

/**
 * Applies transformation `index` (0 = identity, 1..6 = METHOD §2 in table order) to `x`, drawing only from `rng`,
 * writing into `out` (a new array if absent). The input is never modified.
 */
export function applyTransformation(
  index: number,
  x: Float32Array,
  params: TransformationsConfig,
  rng: Rng,
  out?: Float32Array,
): Float32Array {
  const y = out ?? new Float32Array(x.length);
  if (y.length !== x.length)
    throw new UserError(`applyTransformation: out has ${y.length} samples, the input ${x.length}`);
  switch (index) {
    case 0:
      y.set(x);
      return y;
    case 1:
      return addNoise(x, params.noise, rng, y);
    case 2:
      return scale(x, params.scale, y);
    case 3:
      return negate(x, y);
    case 4:
      return flip(x, y);
    case 5:
      return permute(x, params.permute, rng, y);
    case 6:
      return timeWarp(x, params.timeWarp, rng, y);
    default:
      throw new UserError(`applyTransformation: index must be 0..6, got ${index}`);
  }
}
