// Adam with its per-weight update fused into one pass on wasm (tfjs' AdamOptimizer's float32 values, bit for bit).
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { replaceWasmKernel } from './kernelRegistry.js';
import { wasmSimdLoops } from './wasmSimd.js';

type TensorInfo = tf.TensorInfo;
type KernelFunc = tf.KernelFunc;
/** The argument of Optimizer.applyGradients. */
type VariableGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];
type NamedTensor = { name: string; tensor: tf.Tensor };

/** The fused Adam update kernel registered on wasm by {@link registerWasmAdam}. */
export const ADAM_KERNEL = 'AdamUpdateEcgssl';

/** The float32 scalars of one Adam update, as tfjs' AdamOptimizer makes them (see {@link adamScalars}). */
export interface AdamScalars {
  /** beta1 and 1 - beta1. */
  b1: number;
  c1: number;
  /** beta2 and 1 - beta2. */
  b2: number;
  c2: number;
  /** 1 - beta1^t and 1 - beta2^t (float32 subtractions from the float32 powers). */
  oma1: number;
  oma2: number;
  eps: number;
  /** -learningRate. */
  negLr: number;
}

/** {@link AdamScalars} from the optimizer's settings and its float32 accumulated powers accBeta1, accBeta2. */
export function adamScalars(
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  accBeta1: number,
  accBeta2: number,
): AdamScalars {
  const f = Math.fround;
  return {
    b1: f(beta1),
    c1: f(1 - beta1),
    b2: f(beta2),
    c2: f(1 - beta2),
    oma1: f(1 - accBeta1),
    oma2: f(1 - accBeta2),
    eps: f(eps),
    negLr: f(-lr),
  };
}

/**
 * One Adam update of every element, in place on m and v, the new weights into `out`: the float32 operations of
 * tfjs' AdamOptimizer.applyGradients in its order, each rounded to float32 (Math.fround after each double operation
 * gives the float32 result: double has more than 2 x 24 + 2 bits, so rounding twice never differs for + - * / sqrt):
 * m' = m b1 + g c1; v' = v b2 + g^2 c2; out = (m' / oma1) / (sqrt(v' / oma2) + eps) * negLr + value.
 * Exported for tests.
 */
export function adamLoop(
  value: Float32Array,
  m: Float32Array,
  v: Float32Array,
  g: Float32Array,
  s: AdamScalars,
  out: Float32Array,
  mOut: Float32Array,
  vOut: Float32Array,
): void {
  const f = Math.fround;
  const { b1, c1, b2, c2, oma1, oma2, eps, negLr } = s;
  for (let i = 0; i < value.length; i++) {
    const gi = g[i] as number;
    const m1 = f(f((m[i] as number) * b1) + f(gi * c1));
    const v1 = f(f((v[i] as number) * b2) + f(f(gi * gi) * c2));
    mOut[i] = m1;
    vOut[i] = v1;
    const mh = f(m1 / oma1);
    const vh = f(v1 / oma2);
    out[i] = f(f(mh / f(f(Math.sqrt(vh)) + eps)) * negLr) + (value[i] as number);
  }
}

/**
 * The kernel: inputs value, m, v, g (float32, one shape); attrs {@link AdamScalars}; outputs new value, m, v. Runs
 * the SIMD loop of ./wasmSimd.ts on the heap (four floats at a time, the same float32 operations), the rest in JS.
 */
function adamKernel(): KernelFunc {
  const adamUpdate: KernelFunc = (p) => {
    const { value, m, v, g } = p.inputs as Record<'value' | 'm' | 'v' | 'g', TensorInfo>;
    const s = p.attrs as unknown as AdamScalars;
    const b = p.backend as BackendWasm;
    const outs = [0, 1, 2].map(() => b.makeOutput(value.shape, 'float32'));
    // Views after the last makeOutput: a heap growth detaches earlier ones.
    const views = [value, m, v, g, ...outs].map((t) => b.typedArrayFromHeap(t) as Float32Array);
    const n = views[0]!.length;
    const simd = wasmSimdLoops(b);
    const done = simd ? n - (n % 4) : 0;
    if (done > 0)
      simd!.adam(
        views.map((a) => a.byteOffset),
        done * 4,
        s,
      );
    const [vl, ml, vv, gl, o, mo, vo] = views.map((a) => a.subarray(done)) as Float32Array[];
    if (done < n) adamLoop(vl!, ml!, vv!, gl!, s, o!, mo!, vo!);
    return outs;
  };
  return adamUpdate;
}

/** Registers {@link ADAM_KERNEL} on the wasm backend (call after `tf.setBackend('wasm')`; idempotent). */
export function registerWasmAdam(t: typeof tf = tf): void {
  replaceWasmKernel(t, ADAM_KERNEL, adamKernel());
}

/** The private state of tfjs' AdamOptimizer that the fused update reads and writes (tfjs-core 4.22). */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
}

/**
 * tfjs' Adam (same state, weights, checkpoints and values) whose update runs as one {@link ADAM_KERNEL} call per
 * weight on wasm, instead of about a dozen element-wise kernels (each with tfjs' per-call bookkeeping: several hundred
 * calls per step of the paper's network, a cost that does not shrink with the batch). Other backends, and a wasm
 * backend without the kernel, run tfjs' own update.
 */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: VariableGradients): void {
    if (tf.getBackend() !== 'wasm' || !tf.getKernel(ADAM_KERNEL, 'wasm')) {
      super.applyGradients(variableGradients);
      return;
    }
    const st = this as unknown as AdamState;
    const list = Array.isArray(variableGradients);
    const names = list ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    tf.tidy(() => {
      const [a1, a2] = [st.accBeta1.dataSync()[0] as number, st.accBeta2.dataSync()[0] as number];
      const s = adamScalars(st.learningRate, st.beta1, st.beta2, st.epsilon, a1, a2);
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name] as tf.Variable;
        st.accumulatedFirstMoment[i] ??= {
          originalName: `${name}/m`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        st.accumulatedSecondMoment[i] ??= {
          originalName: `${name}/v`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        const g = list ? (variableGradients[i] as NamedTensor).tensor : variableGradients[name];
        if (g == null) return;
        const m = st.accumulatedFirstMoment[i].variable;
        const v = st.accumulatedSecondMoment[i].variable;
        const inputs = { value, m, v, g };
        const [nv, nm, nvv] = tf.engine().runKernel(ADAM_KERNEL, inputs, { ...s }) as tf.Tensor[];
        m.assign(nm as tf.Tensor);
        v.assign(nvv as tf.Tensor);
        value.assign(nv as tf.Tensor);
      });
      st.accBeta1.assign(tf.mul(st.accBeta1, st.beta1));
      st.accBeta2.assign(tf.mul(st.accBeta2, st.beta2));
    });
    this.incrementIterations();
  }
}

/** An Adam optimizer (tf.train.adam's arguments) that takes the fused update on wasm ({@link FusedAdamOptimizer}). */
export function createAdam(
  learningRate: number,
  beta1: number,
  beta2: number,
  epsilon: number,
): tf.AdamOptimizer {
  return new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon);
}
