// Public API of the seeded random streams.
export { createRng, deriveRng } from './createRng.js';
export type { Rng } from './types.js';
