/**
 * ecgssl library entry. Each concern lives in its own folder (braindecode style) with an index.ts that
 * re-exports its public functions.
 */
export { UserError } from './errors.js';
export type { Rng } from './random/types.js';
export * from './config/schema.js';
export type * from './datasets/types.js';
export type * from './engine/types.js';
