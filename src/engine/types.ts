// Types of the engine selection: the backend preference of a config and the report of what runs.
/** Which engine the run uses and why the better ones did not load. */
export interface BackendReport {
  /** tfjs backend name in use: `tensorflow` (native), `wasm`, `cpu`. */
  backend: string;
  /** Human name of the engine tier, e.g. `tfjs-node-gpu`, `tfjs-node`, `wasm+dnnl`, `wasm`, `cpu`. */
  engine: string;
  /** Threads the engine uses. */
  threads: number;
  /** One entry per better tier that was tried and did not load, with the reason. */
  skipped: { engine: string; reason: string }[];
  /** Kernel routes on top of the engine: `FFT convolutions` (portable tier), `native FFT convolutions (16 lanes)`. */
  features?: string[];
  /**
   * Arithmetic of the convolutions: `fp32`, or `bf16` (the native tier's oneDNN convolutions, engine.precision);
   * initBackend sets it on every report.
   */
  precision?: 'fp32' | 'bf16';
  /** Versions of the tfjs packages and native libraries in use. */
  versions: Record<string, string>;
}

export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
