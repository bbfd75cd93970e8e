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
export { engineBenchmark } from './engineBenchmark.js';
export type { EngineBenchmarkArgs, EngineBenchmarkResult } from './engineBenchmark.js';
export {
  buildEngineNetwork,
  loadPaperNetworkBuilder,
  trainStep,
  trainStepAccumulated,
} from './paperNetwork.js';
export type { EngineNetworkArgs } from './paperNetwork.js';
