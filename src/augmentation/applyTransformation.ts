// applyTransformation: transformation i of a table (the built-in one by default) applied to one window.
import { InternalError } from '../errors.js';
import type { Rng } from '../random/types.js';
import { TRANSFORMATIONS } from './transformations.js';
import type { TransformationParams, TransformationTable } from './types.js';

/**
 * Applies entry `index` of `table` (default: {@link TRANSFORMATIONS}; 0 = identity) to `x` with its parameters
 * `params[name]` (the config's `transformations` section), drawing only from `rng`, writing into `out` (a new array
 * if absent). The input is never modified.
 */
export function applyTransformation(
  index: number,
  x: Float32Array,
  params: TransformationParams,
  rng: Rng,
  out?: Float32Array,
  table: TransformationTable = TRANSFORMATIONS,
): Float32Array {
  const y = out ?? new Float32Array(x.length);
  if (y.length !== x.length)
    throw new InternalError(`applyTransformation: out has ${y.length} samples, the input ${x.length}`);
  const t = Number.isInteger(index) ? table[index] : undefined;
  if (!t) throw new InternalError(`applyTransformation: index must be 0..${table.length - 1}, got ${index}`);
  const p = t.paramsSchema ? params[t.name] : undefined;
  if (t.paramsSchema && (p === null || typeof p !== 'object'))
    throw new InternalError(
      `applyTransformation: no parameters for transformation "${t.name}" (transformations.${t.name})`,
    );
  if (t.apply(x, p, rng, y) !== y)
    throw new InternalError(
      `applyTransformation: transformation "${t.name}" did not write into its output array`,
    );
  return y;
}
