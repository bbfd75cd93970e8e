// The shape of one entry of the transformation table (src/augmentation/transformations.ts).
import type { z } from 'zod';
import type { Rng } from '../random/types.js';

/**
 * One pretext transformation (METHOD §2) = one head of the STR network. Its position in a table is its head index
 * and its label: head i answers "is this sample transformation i?".
 */
export interface Transformation<Name extends string = string, P = any> {
  /**
   * Identifier: history columns `<train|heldout>_<acc|f1>_<name>`, the config key `transformations.<name>` when it
   * has parameters, the task of metrics.json. Letters and digits, starting with a letter.
   */
  readonly name: Name;
  /**
   * The pure transformation: reads `x` (never modifies it), draws only from `rng` (always in the same order),
   * writes `out` (the input's length) and returns it. `params` is the parsed `paramsSchema` value (undefined
   * without one).
   */
  apply(x: Float32Array, params: P, rng: Rng, out: Float32Array): Float32Array;
  /** Strict zod object of its parameters, every field with a default; absent: no parameters, no config key. */
  readonly paramsSchema?: z.ZodObject;
  /** Default weight of its head in the pretext loss (`pretrain.taskWeights`, METHOD §3). */
  readonly defaultLossWeight: number;
  /** Panel title in the transformation gallery figure. */
  readonly galleryLabel: string;
}

/** An ordered list of transformations: index i is head i and pretext class i. */
export type TransformationTable = readonly Transformation[];

/**
 * Parameters of every transformation of a table that has some, keyed by its name (the config's
 * `transformations` section).
 */
export type TransformationParams = Readonly<Record<string, unknown>>;
