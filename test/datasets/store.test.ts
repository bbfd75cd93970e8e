import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema, dataSourceSchema, preprocessingSchema } from '../../src/config/schema.js';
import { writeNpy } from '../../src/datasets/formats/npy.js';
import { loadStores, prepareData } from '../../src/datasets/prepareData.js';
import { prepareSource } from '../../src/datasets/prepareSource.js';
import {
  createStoreWriter,
  openWindowStore,
  STORE_FORMAT_VERSION,
  summarizeStoreAt,
  type StoreIndex,
} from '../../src/datasets/store.js';
import { tmp, writeWfdb, pattern } from './helpers.js';
import { InternalError } from '../../src/errors.js';

const RAW = preprocessingSchema.parse({
  windowSamples: 100,
  highpass: { enabled: false },
  normalization: { method: 'none' },
});

function dataset(): string {
  const root = tmp();
  mkdirSync(join(root, 'A'));
  mkdirSync(join(root, 'B'));
  // A/r1: 350 samples -> 3 windows; A/r2: 99 samples -> skipped; B/r1: 200 -> 2 windows.
  writeNpy(
    join(root, 'A', 'r1.npy'),
    Float32Array.from({ length: 350 }, (_, i) => i),
  );
  writeNpy(
    join(root, 'A', 'r2.npy'),
    Float32Array.from({ length: 99 }, (_, i) => -i),
  );
  writeNpy(
    join(root, 'B', 'r1.npy'),
    Float32Array.from({ length: 200 }, (_, i) => 1000 + i),
  );
  writeFileSync(
    join(root, 'labels.csv'),
    'subject,recording,arousal,valence\nA,A/r1,8,1\nA,A/r2,2,0\nB,B/r1,1,\n',
  );
  return root;
}

test('prepareSource: exact window counts and contents, labels, skipped short recordings, cache reuse', async () => {
  const root = dataset();
  const cache = tmp();
  const source = dataSourceSchema.parse({ kind: 'generic', root, samplingRateHz: 256 });
  const pre = { ...RAW, targetRateHz: 256 };
  const s = await prepareSource(source, pre, cache, { progress: false });
  assert.equal(s.cached, false);
  assert.equal(s.windows, 5);
  assert.equal(s.subjects, 2);
  assert.equal(s.recordings, 2);
  assert.equal(s.skippedRecordings, 1);
  assert.deepEqual(s.labelCounts, { arousal: { '0': 2, '1': 3 }, valence: { '1': 3, NaN: 2 } });
  assert.deepEqual(readdirSync(cache), [s.hash]);
  const store = openWindowStore(s.storeDir);
  assert.equal(store.windowSamples, 100);
  assert.equal(store.samplingRateHz, 256);
  assert.deepEqual(store.tasks, { arousal: 2, valence: 2 });
  assert.deepEqual(
    store.entries.map((e) => [e.subject, e.recording, e.window]),
    [
      ['A', 'r1', 0],
      ['A', 'r1', 1],
      ['A', 'r1', 2],
      ['B', 'r1', 0],
      ['B', 'r1', 1],
    ],
  );
  assert.ok(Number.isNaN(store.entries[3]!.labels.valence));
  const all = store.read([0, 1, 2, 3, 4]);
  assert.equal(all[0], 0);
  assert.equal(all[299], 299); // trailing 50 samples of A/r1 dropped
  assert.equal(all[300], 1000);
  assert.equal(all[499], 1199);
  const some = store.read([4, 0, 1, 3]);
  assert.deepEqual(some.subarray(0, 100), all.subarray(400, 500));
  assert.deepEqual(some.subarray(100, 300), all.subarray(0, 200));
  assert.deepEqual(some.subarray(300, 400), all.subarray(300, 400));
  const out = new Float32Array(200);
  assert.equal(store.read([2, 2], out), out);
  assert.deepEqual(out.subarray(100), all.subarray(200, 300));
  assert.throws(
    () => store.read([5]),
    (e: unknown) => e instanceof InternalError && /window index 5 out of range 0\.\.4/.test(e.message),
  );
  store.close();
  assert.throws(() => store.read([0]), /closed/);
  const again = await prepareSource(source, pre, cache, { progress: false });
  assert.equal(again.cached, true);
  assert.equal(again.hash, s.hash);
  // Other preprocessing -> another store; overlap 50 -> A/r1 has 6 windows, B/r1 3.
  const ov = await prepareSource(source, { ...pre, overlapSamples: 50 }, cache, { progress: false });
  assert.notEqual(ov.hash, s.hash);
  assert.equal(ov.windows, 9);
  const st = openWindowStore(ov.storeDir);
  assert.deepEqual([...st.read([1]).subarray(0, 3)], [50, 51, 52]);
  st.close();
});

test('prepareSource: resampling, high-pass and per-subject normalisation run; trimmed z-score per subject', async () => {
  const root = tmp();
  mkdirSync(join(root, 'S'));
  const fs = 512;
  const sig = (n: number, off: number): Float32Array =>
    Float32Array.from(
      { length: n },
      (_, i) => off + Math.sin((2 * Math.PI * 5 * i) / fs) + 0.5 * Math.sin((2 * Math.PI * 11 * i) / fs),
    );
  writeNpy(join(root, 'S', 'a.npy'), sig(fs * 25, 3)); // 25 s -> 6400 samples at 256 Hz -> 2 windows of 2560
  writeNpy(join(root, 'S', 'b.npy'), sig(fs * 11, -2)); // 11 s -> 1 window
  const cache = tmp();
  const source = dataSourceSchema.parse({ kind: 'generic', root, samplingRateHz: fs });
  const s = await prepareSource(source, preprocessingSchema.parse({}), cache, { progress: false });
  assert.equal(s.windows, 3);
  const store = openWindowStore(s.storeDir);
  const x = store.read([0, 1, 2]);
  store.close();
  let mean = 0;
  for (const v of x) mean += v;
  mean /= x.length;
  // high-passed (offsets removed) and normalised: mean ~0, values of order 1
  assert.ok(Math.abs(mean) < 0.1, `mean ${mean}`);
  const peak = x.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
  assert.ok(peak > 1 && peak < 4, `peak ${peak}`);
});

test('prepareSource: a failing reader leaves nothing under the cache, not even a temp folder', async () => {
  const root = dataset();
  writeNpy(join(root, 'B', 'r1.npy'), Float32Array.from([1, NaN, 3]));
  const cache = tmp();
  const source = dataSourceSchema.parse({ kind: 'generic', root, samplingRateHz: 256 });
  await assert.rejects(
    prepareSource(source, { ...RAW, targetRateHz: 256 }, cache, { progress: false }),
    /r1\.npy has non-finite samples/,
  );
  assert.deepEqual(readdirSync(cache), []);
});

test('prepareData + loadStores: data then pretrain.extraData (WFDB), synthetic generated on first use', async () => {
  const wf = tmp();
  writeWfdb(wf, 'rec', 16, 256, [{ adc: pattern(256 * 25, 9), gain: 200, baseline: 0, description: 'ECG' }]);
  const dir = tmp();
  const synRoot = join(dir, 'syn');
  const config = configSchema.parse({
    data: {
      kind: 'synthetic',
      root: synRoot,
      synthetic: { subjects: 2, recordingsPerSubject: 2, recordingSeconds: 25, samplingRateHz: 256, seed: 3 },
    },
    pretrain: { extraData: [{ kind: 'wfdb', root: wf }] },
    output: { cacheDir: join(dir, 'cache') },
  });
  const sums = await prepareData(config, { progress: false });
  assert.ok(existsSync(join(synRoot, 'manifest.json')));
  assert.equal(sums.length, 2);
  assert.equal(sums[0]!.windows, 2 * 2 * 2);
  assert.equal(sums[0]!.subjects, 2);
  assert.deepEqual(Object.keys(sums[0]!.labelCounts).sort(), ['arousal', 'stress', 'valence']);
  assert.deepEqual(sums[0]!.labelCounts.arousal, { '0': 4, '1': 4 });
  assert.equal(sums[1]!.windows, 2);
  assert.deepEqual(sums[1]!.labelCounts, {});
  const { labelled, extra } = await loadStores(config, { progress: false });
  assert.equal(labelled.entries.length, 8);
  assert.equal(extra.length, 1);
  assert.deepEqual(extra[0]!.tasks, {});
  assert.equal(labelled.read([7]).length, 2560);
  labelled.close();
  extra[0]!.close();
  const again = await prepareData(config, { progress: false });
  assert.ok(again.every((s) => s.cached));
});

test('createStoreWriter: nothing under the final name before publish; abort leaves nothing; an earlier store wins', () => {
  const cache = tmp();
  const index = (hash: string, windows: number): StoreIndex => ({
    format: STORE_FORMAT_VERSION,
    hash,
    windowSamples: 4,
    overlapSamples: 0,
    samplingRateHz: 256,
    tasks: {},
    sources: [{ kind: 'generic', root: '/x' }],
    counts: { windows, subjects: 1, recordings: 1, skippedRecordings: 0 },
    skipped: [],
    entries: Array.from({ length: windows }, (_, w) => ({
      subject: 's',
      recording: 'r',
      window: w,
      source: 0,
      labels: {},
    })),
    createdAt: new Date(0).toISOString(),
  });
  const a = createStoreWriter(cache, 'k1');
  a.append([Float32Array.of(1, 2, 3, 4), Float32Array.of(5, 6, 7, 8)]);
  a.finish(index('k1', 2));
  assert.equal(existsSync(join(cache, 'k1')), false);
  a.publish();
  const store = openWindowStore(join(cache, 'k1'));
  assert.deepEqual([...store.read([1, 0])], [5, 6, 7, 8, 1, 2, 3, 4]);
  store.close();
  assert.equal(summarizeStoreAt(join(cache, 'k1'), true).windows, 2);
  // A second writer of the same key: its folder is dropped, the first store stays.
  const b = createStoreWriter(cache, 'k1');
  b.append([Float32Array.of(9, 9, 9, 9)]);
  b.finish(index('k1', 1));
  b.publish();
  assert.equal(summarizeStoreAt(join(cache, 'k1'), true).windows, 2);
  const c = createStoreWriter(cache, 'k2');
  c.append([Float32Array.of(1, 1, 1, 1)]);
  c.abort();
  assert.deepEqual(readdirSync(cache), ['k1']);
});
