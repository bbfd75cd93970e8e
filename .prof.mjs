// Per-kernel wall time of the real training step (paperBench) on wasm+dnnl, by route (ms per step, median-ish mean of steps)
const precision = process.argv[2] ?? 'fp32';
const B = Number(process.argv[3] ?? 32);
const steps = Number(process.argv[4] ?? 3);
const dist = '/work/wt/bf16/dist';
const { initBackend } = await import(`${dist}/engine/backend.js`);
const tf = await import('@tensorflow/tfjs');
await initBackend({ preference: 'wasm', threads: 2, dnnl: true, precision });
const { dnnlStats } = await import(`${dist}/engine/dnnl.js`);
const { paperBench } = await import(`${dist}/training/paperBench.js`);
const acc = {};
let on = false;
for (const k of tf.getKernelsForBackend('wasm')) {
  const f = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, 'wasm');
  tf.registerKernel({ ...k, kernelFunc: (p) => {
    if (!on) return f(p);
    const snap = JSON.stringify(dnnlStats);
    const t0 = performance.now(); const r = f(p); const dt = performance.now() - t0;
    let route = k.kernelName;
    for (const [name, s] of Object.entries(dnnlStats)) { const old = JSON.parse(snap)[name]; if (!old || old.native !== s.native) route = name; }
    acc[route] = (acc[route] ?? 0) + dt; return r; } });
}
const bench = paperBench({ batch: B });
bench.train(128);
on = true;
const t0 = performance.now();
for (let i = 0; i < steps; i++) bench.train(128);
const total = (performance.now() - t0) / steps;
const rows = Object.entries(acc).map(([k, v]) => [k, v / steps]).sort((a, b) => b[1] - a[1]);
const conv = rows.filter(([k]) => k.startsWith('Conv2D')).reduce((s, r) => s + r[1], 0);
console.log(JSON.stringify({ precision, B, stepMs: +total.toFixed(0), convMs: +conv.toFixed(0), kernels: Object.fromEntries(rows.filter(r => r[1] > 2).map(([k, v]) => [k, +v.toFixed(1)])) }));
process.exit(0);
