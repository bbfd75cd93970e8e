import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeBackend } from '../../src/engine/backend.js';

const backendTs = fileURLToPath(new URL('../../src/engine/index.ts', import.meta.url));
const benchmarkTs = fileURLToPath(new URL('../../src/training/engineBenchmark.ts', import.meta.url));

/** Runs initBackend in a fresh Node (one engine per process) and returns its stdout/stderr/status. */
function child(code: string): { status: number | null; stdout: string; stderr: string } {
  // A script file, not `-e`: the wasm pthread workers inherit execArgv, and `--input-type` breaks them.
  const dir = mkdtempSync(join(tmpdir(), 'ecgssl-engine-test-'));
  const file = join(dir, 'child.mts');
  const imports = [`import * as e from ${JSON.stringify(backendTs)};`];
  if (code.includes('engineBenchmark('))
    imports.push(`import { engineBenchmark } from ${JSON.stringify(benchmarkTs)};`);
  writeFileSync(file, `${imports.join('\n')}\n${code}`);
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 90_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr.slice(0, 4000) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('describeBackend names the engine and every skipped tier', () => {
  const s = describeBackend({
    backend: 'wasm',
    engine: 'wasm',
    threads: 2,
    skipped: [
      { engine: 'tfjs-node', reason: 'not installed' },
      { engine: 'oneDNN', reason: 'libdnnl not found' },
    ],
    versions: {},
  });
  assert.equal(s, 'engine: wasm (2 threads; skipped tfjs-node: not installed, oneDNN: libdnnl not found)');
});

test('auto picks multi-threaded wasm here, trains, and the process exits on its own (workers unref)', () => {
  const r = child(`
    const rep = await e.initBackend({ preference: 'auto', threads: 2 });
    const tf = e.getTf();
    const b = await engineBenchmark({ seconds: 1, batch: 2, windowSamples: 256 });
    console.log(JSON.stringify({ rep, backend: tf.getBackend(), b }));
  `);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1) as string);
  assert.equal(out.backend, 'wasm');
  assert.ok(out.rep.engine === 'wasm' || out.rep.engine === 'wasm+dnnl', out.rep.engine);
  assert.equal(
    out.rep.threads >= 2 || out.rep.skipped.some((s: { engine: string }) => s.engine.startsWith('wasm 2')),
    true,
  );
  assert.ok(out.b.trainWindowsPerSecond > 0 && out.b.inferWindowsPerSecond > 0);
  assert.match(r.stderr, /^engine: wasm/m);
  assert.doesNotMatch(r.stderr + r.stdout, /Hi there|looks like you are running/);
});

test("explicit 'cpu' uses the pure-JS backend without the banner; explicit 'tensorflow' fails clearly when absent", () => {
  const r = child(`
    const rep = await e.initBackend({ preference: 'cpu' });
    console.log(JSON.stringify(rep));
  `);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout.trim()).engine, 'cpu');
  assert.doesNotMatch(r.stderr + r.stdout, /looks like you are running/);
  const t = child(`
    try { await e.initBackend({ preference: 'tensorflow' }); console.log('loaded'); }
    catch (err) { console.log(err.name + ': ' + err.message); }
  `);
  assert.equal(t.status, 0, t.stderr);
  // tfjs-node is an optional dependency that does not install on this machine; where it does, it must load.
  assert.match(t.stdout, /^(loaded|UserError: initBackend: engine.backend 'tensorflow' requested)/m);
});

test('when wasm threads cannot start, initBackend falls back to 1 thread and says why', () => {
  const r = child(`
    // Without SharedArrayBuffer the threaded wasm build cannot start.
    Object.defineProperty(globalThis, 'SharedArrayBuffer', { value: undefined, configurable: true });
    const rep = await e.initBackend({ preference: 'wasm', threads: 2, dnnl: false });
    const tf = e.getTf();
    const y = tf.conv1d(tf.ones([1, 8, 1]), tf.ones([3, 1, 2]), 1, 'same').sum().dataSync()[0];
    console.log(JSON.stringify({ rep, y }));
  `);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1) as string);
  // dnnl: false, so that wasm itself asks for 2 threads (with the oneDNN tier wasm runs single-threaded anyway).
  assert.ok(out.rep.engine === 'wasm' || out.rep.engine === 'wasm+dnnl', out.rep.engine);
  if (out.rep.engine === 'wasm') assert.equal(out.rep.threads, 1);
  assert.match(
    JSON.stringify(out.rep.skipped),
    /wasm 2 threads.*SharedArrayBuffer is not available; falling back to 1 thread/,
  );
  assert.equal(out.y, 2 * (2 + 3 * 6 + 2)); // 'same' conv of ones with a ones kernel of 3, 2 filters
  assert.match(r.stderr, /engine: wasm(\+dnnl)? \(\d threads?(, [^;]*)?; skipped .*wasm 2 threads/);
});

test('the portable tier routes convolutions through the FFT kernels unless engine.fftConv is false', () => {
  for (const fftConv of [true, false]) {
    const r = child(`
      const rep = await e.initBackend({ preference: 'wasm', threads: 2, dnnl: false, fftConv: ${fftConv} });
      const { fftConvStats } = await import(${JSON.stringify(fileURLToPath(new URL('../../src/engine/fftconv/registerFftConvKernels.ts', import.meta.url)))});
      await engineBenchmark({ seconds: 0.5, batch: 2, windowSamples: 512 });
      console.log(JSON.stringify({ rep, forward: fftConvStats.forward, filterGrad: fftConvStats.filterGrad }));
      await e.shutdownEngine();
    `);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1) as string);
    assert.equal(out.rep.engine, 'wasm');
    assert.equal(out.rep.features?.includes('FFT convolutions') ?? false, fftConv, r.stderr);
    assert.equal(out.forward > 0 && out.filterGrad > 0, fftConv, JSON.stringify(out));
    assert.equal(typeof out.rep.versions.fftconv === 'string', fftConv);
    if (fftConv) assert.match(r.stderr, /^engine: wasm \(2 threads, FFT convolutions; /m);
  }
});
