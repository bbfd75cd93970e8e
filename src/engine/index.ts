// Public API of the training engine: backend selection, the project's kernels, model file IO.
export {
  initBackend,
  initEngine,
  getTf,
  shutdownEngine,
  describeBackend,
  describeEngine,
  getBackendReport,
} from './backend.js';
export type { InitBackendArgs, EngineConfig } from './backend.js';
export { registerWasmKernels, maxPoolBackward, WASM_KERNEL_NAMES } from './wasmKernels.js';
export { fileSystemIOHandler, registerFileIOHandlers } from './fileIO.js';
export { createAdam } from './fusedAdam.js';
