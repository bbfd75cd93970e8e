// Frozen-arm head case of issue 17: 768 x 128-d embeddings, 2 x 512 head, batch 128; ms per step, stock vs ours.
import { performance } from 'node:perf_hooks';
const root = '/work/wt/perf/dist';
const { initBackend } = await import(root + '/engine/backend.js');
const tf = await import('@tensorflow/tfjs');
await initBackend({ preference: 'wasm' });
const { originalWasmKernel, replaceWasmKernel } = await import(root + '/engine/kernelRegistry.js');
const { registerWasmMatMul } = await import(root + '/engine/wasmMatMul.js');
const { buildEmotionHead } = await import(root + '/models/index.js');
const { trainClassifier } = await import(root + '/training/finetune.js');
const { createRng } = await import(root + '/random/index.js');
const N = 768, D = 128, epochs = Number(process.env.E ?? 10);
const rng = createRng(3);
const xs = new Float32Array(N * D); for (let i = 0; i < xs.length; i++) xs[i] = rng.uniform() - 0.5;
const labels = Array.from({ length: N }, (_, i) => i % 2);
const x = tf.tensor2d(xs, [N, D]);
const stock = originalWasmKernel(tf, 'BatchMatMul');
for (let rep = 0; rep < Number(process.env.R ?? 3); rep++) for (const mode of ['stock', 'ours']) {
  if (mode === 'stock') replaceWasmKernel(tf, 'BatchMatMul', stock); else registerWasmMatMul(tf);
  const model = buildEmotionHead({ inputUnits: D, layers: 2, units: 512, dropout: 0, l2: 0, numClasses: 2, seed: 5 });
  const t0 = performance.now();
  const h = trainClassifier(model, x, labels, { epochs, batchSize: 128, learningRate: 1e-3, rng: createRng(9) });
  const ms = (performance.now() - t0) / (epochs * 6);
  console.log(`${mode} ${ms.toFixed(1)} ms/step -> 200 epochs ${(ms * 1200 / 1000).toFixed(0)} s; final loss ${h.at(-1)}; load ${(await import('node:fs')).readFileSync('/proc/loadavg','utf8').split(' ')[0]}`);
  model.dispose();
}
