// The wasm backend's kernels as this project sees them: the stock ones as first seen, and its replacements.
import type * as tfNs from '@tensorflow/tfjs';
import { InternalError } from '../errors.js';

type Tf = typeof tfNs;
type KernelFunc = tfNs.KernelFunc;

/** The wasm backend's own kernels, by name, as first seen (before any of this project's replacements). */
const stock = new Map<string, KernelFunc>();
/** Kernels registered through {@link replaceWasmKernel}. */
const ours = new WeakSet<KernelFunc>();

/**
 * The wasm kernel `name` registered now; throws when the backend has none. For the kernel routes that wrap
 * whatever was registered before them (the FFT and oneDNN routes); stock kernels come from
 * {@link originalWasmKernel}.
 */
export function currentWasmKernel(t: Tf, name: string): KernelFunc {
  const k = t.getKernel(name, 'wasm');
  if (!k)
    throw new InternalError(
      `the wasm backend has no '${name}' kernel (is @tensorflow/tfjs-backend-wasm imported?)`,
    );
  return k.kernelFunc;
}

/**
 * tfjs-backend-wasm's own kernel `name`: the one first seen by this module. {@link replaceWasmKernel} records a
 * kernel before replacing it, so a project kernel registered through it is never returned here (a repeated
 * registration must not wrap its own kernel). Throws when the backend has no such kernel.
 */
export function originalWasmKernel(t: Tf, name: string): KernelFunc {
  const known = stock.get(name);
  if (known) return known;
  const k = currentWasmKernel(t, name);
  if (ours.has(k))
    throw new InternalError(`the wasm backend has no stock '${name}' kernel (only this project's)`);
  stock.set(name, k);
  return k;
}

/** Registers `kernelFunc` as the wasm backend's kernel `name`, in place of the one registered now (if any). */
export function replaceWasmKernel(t: Tf, name: string, kernelFunc: KernelFunc): void {
  const k = t.getKernel(name, 'wasm');
  if (k) {
    if (!stock.has(name) && !ours.has(k.kernelFunc)) stock.set(name, k.kernelFunc);
    t.unregisterKernel(name, 'wasm');
  }
  t.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
  ours.add(kernelFunc);
}
