/** Seeded fuzzing of the dataset readers and the config loader (`npm run fuzz`, test/fuzz). */
export * from './types.js';
export { runFuzz, replayCase, type RunFuzzArgs } from './runFuzz.js';
export { runCase, caseInput, judgeMessage, DEFAULT_ALLOCATION_BOUND, MAX_MESSAGE_CHARS } from './runCase.js';
export { FUZZ_TARGETS, fuzzTargets, findTarget } from './targets.js';
export { MUTATORS, MUTATOR_WEIGHTS, mutateInput, HOSTILE_NUMBERS, TEXT_TOKENS } from './mutators.js';
export { installAllocationGuard, FuzzAllocationError } from './allocationGuard.js';
export * from './corpus.js';
