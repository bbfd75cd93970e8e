// Engine selection: tfjs-node-gpu, tfjs-node, wasm (+ oneDNN/FFT kernels) or cpu, and the report of why.
import * as tf from '@tensorflow/tfjs';
import os from 'node:os';
import { log } from '../util/log.js';
import { UserError } from '../errors.js';
import type { BackendPreference, BackendReport } from './types.js';
import { registerWasmKernels } from './wasmKernels.js';
import { enableWasmThreads, finishWasmThreads, terminateWasmThreads } from './threads.js';
import { registerFileIOHandlers } from './fileIO.js';
import { disposeFftConvKernels, registerFftConvKernels } from './fftconv/registerFftConvKernels.js';
import { FFTCONV_SOURCE_SHA256 } from './fftconv/fftconvWasm.js';
import type { DnnlRegistration } from './dnnl.js';
import { dnnlUnavailable } from './dnnlRemedy.js';
import type { PrecisionPreference } from './dnnlPrecision.js';

/** Arguments of {@link initBackend}. */
export interface InitBackendArgs {
  /** Which engine to use (config `engine.backend`); `auto` picks the fastest that loads. */
  preference: BackendPreference;
  /** Threads for the portable (wasm) engine (config `engine.threads`); default: all cores. */
  threads?: number;
  /** Try the native oneDNN kernels (./dnnl.js) on top of wasm (default true; the benchmark turns it off). */
  dnnl?: boolean;
  /**
   * Compute the 1-D convolutions through overlap-save FFT kernels where that does several times fewer FLOPs
   * (default true; config `engine.fftConv`): on the portable tier the wasm kernels of ./fftconv/fftconv.ts instead
   * of XNNPACK's direct ones, on wasm+dnnl the addon's native FFT kernels instead of oneDNN's. `false` turns off both.
   */
  fftConv?: boolean;
  /**
   * Arithmetic of the oneDNN convolutions (default fp32; config `engine.precision`, ./dnnlPrecision.ts): `bf16`
   * throws a UserError where the oneDNN tier or the CPU's bf16 is missing; `auto` falls back to fp32 and says why.
   */
  precision?: PrecisionPreference;
}

let current: BackendReport | null = null;

/** tfjs console noise that is not for our users (start-up banner, platform re-registration warnings). */
const NOISE = [
  /Hi there/,
  /Platform node has already been set/i,
  /has already been set\. Overwriting/i,
  /looks like you are running TensorFlow\.js in Node/,
];

/** Runs `fn` with console.log/warn/info filtered for tfjs's start-up noise. */
async function quietly<T>(fn: () => Promise<T> | T): Promise<T> {
  const saved = { log: console.log, warn: console.warn, info: console.info };
  const filter =
    (orig: (...a: unknown[]) => void) =>
    (...a: unknown[]): void => {
      const s = a.map(String).join(' ');
      if (NOISE.some((re) => re.test(s))) {
        log.debug(`tfjs: ${s}`);
        return;
      }
      orig(...a);
    };
  console.log = filter(saved.log);
  console.warn = filter(saved.warn);
  console.info = filter(saved.info);
  try {
    return await fn();
  } finally {
    Object.assign(console, saved);
  }
}

function reasonOf(e: unknown): string {
  const err = e as { code?: string; message?: string };
  if (err?.code === 'ERR_MODULE_NOT_FOUND' || err?.code === 'MODULE_NOT_FOUND') return 'not installed';
  return String(err?.message ?? e).split('\n')[0] ?? 'failed';
}

/** Tries a native tfjs-node package; it must register backend 'tensorflow' on OUR tfjs-core. */
async function tryNative(
  pkg: string,
): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  try {
    const spec = pkg; // a variable specifier: the package is optional and may be absent
    const mod = (await quietly(() => import(spec))) as { version?: Record<string, string> };
    if (!tf.findBackendFactory('tensorflow') && !tf.findBackend('tensorflow'))
      return {
        ok: false,
        reason: 'loaded but registered no backend on the shared tfjs-core (version mismatch?)',
      };
    const ok = await quietly(() => tf.setBackend('tensorflow'));
    if (!ok) return { ok: false, reason: 'backend tensorflow failed to initialise' };
    if (pkg.endsWith('-gpu')) {
      // tfjs-node-gpu runs on CPU when no CUDA device is visible: check that a GPU is actually used.
      const dev = (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice;
      if (dev === false) return { ok: false, reason: 'no CUDA GPU visible' };
    }
    return { ok: true, version: mod.version?.['tfjs-node'] ?? tf.version.tfjs };
  } catch (e) {
    return { ok: false, reason: reasonOf(e) };
  }
}

type DnnlModule = typeof import('./dnnl.js');

/** Loads ./dnnl.js and its addon; null plus the reason when the native tier is absent. */
async function loadDnnlModule(): Promise<{ mod: DnnlModule } | { reason: string }> {
  try {
    const spec = './dnnl.js';
    const mod = (await import(spec)) as DnnlModule;
    const addon = mod.loadDnnlAddon();
    if ('loadError' in addon) return { reason: dnnlUnavailable(addon.loadError) };
    return { mod };
  } catch (e) {
    return { reason: dnnlUnavailable(reasonOf(e) === 'not installed' ? 'not built' : reasonOf(e)) };
  }
}

async function setWasm(threads: number, skipped: BackendReport['skipped']): Promise<number> {
  await import('@tensorflow/tfjs-backend-wasm'); // registers the 'wasm' backend factory
  let used = 1;
  if (threads > 1) {
    try {
      enableWasmThreads(tf, threads);
      // The timer is ref'd on purpose: the pthread workers are unref'd, so it keeps Node alive while they load.
      let timer: NodeJS.Timeout | undefined;
      const ok = await Promise.race([
        quietly(() => tf.setBackend('wasm')),
        new Promise<boolean>((_, rej) => {
          timer = setTimeout(() => rej(new Error('pthread start-up timed out')), 30000);
        }),
      ]).finally(() => clearTimeout(timer));
      finishWasmThreads();
      if (!ok) throw new Error('threaded wasm failed to initialise');
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      used = wasm.getThreadsCount();
      if (used < threads) log.warn(`engine: wasm asked for ${threads} threads, got ${used}`);
    } catch (e) {
      finishWasmThreads();
      skipped.push({ engine: `wasm ${threads} threads`, reason: `${reasonOf(e)}; falling back to 1 thread` });
      await terminateWasmThreads();
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      wasm.setThreadsCount(1);
      // removeBackend also drops the factory: keep it and register it again for a fresh single-threaded instance.
      const factory = tf.findBackendFactory('wasm');
      if (factory) {
        tf.removeBackend('wasm');
        tf.registerBackend('wasm', factory, 2);
      }
      used = 1;
    }
  }
  if (tf.getBackend() !== 'wasm') {
    if (!tf.findBackendFactory('wasm')) {
      throw new Error('wasm backend factory missing after fallback');
    }
    const ok = await quietly(() => tf.setBackend('wasm'));
    if (!ok) throw new Error('wasm backend failed to initialise');
  }
  await tf.ready();
  registerWasmKernels(tf);
  return used;
}

/**
 * The native tier (tfjs-node-gpu, then tfjs-node): the report of the first that loads, or null (each failure
 * added to `skipped`); a UserError when `tensorflow` was asked for explicitly and none loads.
 */
async function nativeEngine(
  pref: BackendPreference,
  skipped: BackendReport['skipped'],
  versions: Record<string, string>,
): Promise<BackendReport | null> {
  let report: BackendReport | null = null;
  for (const [pkg, engine] of [
    ['@tensorflow/tfjs-node-gpu', 'tfjs-node-gpu'],
    ['@tensorflow/tfjs-node', 'tfjs-node'],
  ] as const) {
    const r = await tryNative(pkg);
    if (r.ok) {
      report = {
        backend: 'tensorflow',
        engine,
        threads: os.cpus().length,
        skipped,
        versions: { ...versions, [engine]: r.version },
      };
      break;
    }
    skipped.push({ engine, reason: r.reason });
  }
  if (!report && pref === 'tensorflow')
    throw new UserError(
      `initBackend: engine.backend 'tensorflow' requested but no native tfjs loaded (${skipped.map((s) => `${s.engine}: ${s.reason}`).join(', ')})`,
    );
  return report;
}

/**
 * Selects and initialises the training engine (METHOD.md does not fix one; this is how ecgssl runs tfjs in Node).
 * Under `auto` the order is: native GPU (@tensorflow/tfjs-node-gpu), native CPU (@tensorflow/tfjs-node), the
 * portable engine (wasm + the replacement kernels of {@link registerWasmKernels}, multi-threaded, plus oneDNN
 * kernels from ./dnnl.js when that native tier is available), then the pure-JS `cpu` backend. An explicit
 * preference loads only that engine and throws a UserError if it cannot. Prints one stderr line naming the engine
 * and why each better one was skipped. Idempotent: a second call returns the first report.
 */
export async function initBackend(args: InitBackendArgs): Promise<BackendReport> {
  if (current) return current;
  const pref = args.preference;
  const threads = args.threads ?? Math.max(1, os.cpus().length);
  if (!Number.isInteger(threads) || threads < 1)
    throw new UserError(`initBackend: threads must be a positive integer, got ${String(args.threads)}`);
  const skipped: BackendReport['skipped'] = [];
  const versions: Record<string, string> = { tfjs: tf.version.tfjs };
  let report: BackendReport | null = null;

  if (pref === 'auto' || pref === 'tensorflow') report = await nativeEngine(pref, skipped, versions);
  if (!report && (pref === 'auto' || pref === 'wasm')) {
    try {
      // With the oneDNN tier, oneDNN's OpenMP threads take every core and wasm runs single-threaded: two thread
      // pools on 2 cores stall each other (prototypes/engine/MEASUREMENTS.md: 47 vs 26 training windows/s).
      const dnnlMod = args.dnnl === false ? { reason: 'disabled' } : await loadDnnlModule();
      const used = await setWasm('mod' in dnnlMod ? 1 : threads, skipped);
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      versions['tfjs-backend-wasm'] = wasm.version_wasm;
      const d: DnnlRegistration =
        'mod' in dnnlMod
          ? dnnlMod.mod.tryRegisterDnnlKernels(tf, {
              threads,
              fftConv: args.fftConv,
              precision: args.precision,
            })
          : { ok: false, reason: dnnlMod.reason };
      if (d.ok) {
        versions.oneDNN = d.version;
        if (d.bf16Unavailable) skipped.push({ engine: 'bf16', reason: d.bf16Unavailable });
        const features = [
          ...(d.fftLanes ? [`native FFT convolutions (${d.fftLanes} lanes)`] : []),
          ...(d.precision === 'bf16' ? ['bf16 oneDNN convolutions'] : []),
        ];
        report = {
          backend: 'wasm',
          engine: 'wasm+dnnl',
          threads: d.threads,
          skipped,
          versions,
          precision: d.precision,
          ...(features.length ? { features } : {}),
        };
      } else {
        skipped.push({ engine: 'oneDNN', reason: d.reason });
        const features: string[] = [];
        if (args.fftConv !== false) {
          try {
            registerFftConvKernels(tf, { threads: used });
            versions.fftconv = FFTCONV_SOURCE_SHA256.slice(0, 12);
            features.push('FFT convolutions');
          } catch (e) {
            skipped.push({ engine: 'FFT convolutions', reason: reasonOf(e) });
          }
        }
        report = { backend: 'wasm', engine: 'wasm', threads: used, skipped, versions, features };
      }
    } catch (e) {
      if (pref === 'wasm') throw new UserError(`initBackend: engine.backend 'wasm' failed: ${reasonOf(e)}`);
      skipped.push({ engine: 'wasm', reason: reasonOf(e) });
    }
  }
  if (!report) {
    const ok = await quietly(() => tf.setBackend('cpu'));
    if (!ok) throw new UserError('initBackend: even the pure-JS cpu backend failed to initialise');
    report = { backend: 'cpu', engine: 'cpu', threads: 1, skipped, versions };
  }
  if (args.precision === 'bf16' && report.precision !== 'bf16') throw bf16Error(skipped);
  report.precision ??= 'fp32';
  await quietly(() => tf.ready());
  if (report.backend !== 'tensorflow') registerFileIOHandlers();
  current = report;
  log.info(describeBackend(report));
  return report;
}

/** The UserError of an explicit `engine.precision: bf16` that cannot be had, with the reason from `skipped`. */
function bf16Error(skipped: BackendReport['skipped']): UserError {
  const why =
    skipped.find((s) => s.engine === 'bf16')?.reason ??
    `it needs the oneDNN tier (${skipped.find((s) => s.engine === 'oneDNN')?.reason ?? 'not selected'})`;
  return new UserError(
    `initBackend: engine.precision 'bf16' is not available here: ${why}; use 'auto' or 'fp32'`,
  );
}

/** A config's `engine` section (src/config/schema.ts), as {@link initEngine} reads it. */
export interface EngineConfig {
  backend: BackendPreference;
  threads?: number | undefined;
  dnnl: boolean;
  fftConv: boolean;
  precision?: PrecisionPreference | undefined;
}

/**
 * {@link initBackend} with a config's `engine` section: what every stage does first. initBackend also registers
 * the file:// model IO handlers where tfjs-node is absent.
 */
export function initEngine(engine: EngineConfig): Promise<BackendReport> {
  return initBackend({
    preference: engine.backend,
    threads: engine.threads,
    dnnl: engine.dnnl,
    fftConv: engine.fftConv,
    precision: engine.precision,
  });
}

/** The one-line description printed by {@link initBackend}. */
export function describeBackend(r: BackendReport): string {
  const why =
    r.skipped.length > 0 ? `; skipped ${r.skipped.map((s) => `${s.engine}: ${s.reason}`).join(', ')}` : '';
  return `engine: ${r.engine} (${threadsAndFeatures(r)}${why})`;
}

/** `wasm+dnnl (2 threads, native FFT convolutions (16 lanes))`: the engine, without the skipped tiers. */
export function describeEngine(r: Pick<BackendReport, 'engine' | 'threads' | 'features'>): string {
  return `${r.engine} (${threadsAndFeatures(r)})`;
}

function threadsAndFeatures(r: Pick<BackendReport, 'threads' | 'features'>): string {
  const feats = r.features && r.features.length > 0 ? `, ${r.features.join(', ')}` : '';
  return `${r.threads} thread${r.threads === 1 ? '' : 's'}${feats}`;
}

/** The report of the engine in use, or null before {@link initBackend}. */
export function getBackendReport(): BackendReport | null {
  return current;
}

/**
 * The tfjs module in use. Native packages (tfjs-node) register their backend on this same tfjs-core
 * (initBackend checks it), so `import * as tf from '@tensorflow/tfjs'` everywhere sees the selected engine.
 */
export function getTf(): typeof tf {
  return tf;
}

/**
 * Releases the engine: terminates the wasm pthread workers (which are unref'd, so Node exits even without this) and
 * forgets the selection. The CLI calls it at the end of every command. The backend must not be used afterwards.
 */
export async function shutdownEngine(): Promise<void> {
  await terminateWasmThreads();
  await disposeFftConvKernels();
  current = null;
}
