// Hostile but well-formed inputs: non-finite samples, recordings shorter than one window, labels for unknown
// recordings, a results folder that cannot be written, a disk that fills up mid-write. Each must end in a clear
// one-line UserError naming the file, and leave no partial or temporary files behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { preprocessingSchema } from '../../src/config/schema.js';
import { genericSourceSchema } from '../../src/datasets/readers/generic/options.js';
import { resolveConfig } from '../../src/config/load.js';
import { UserError } from '../../src/errors.js';
import { readGeneric } from '../../src/datasets/readers/generic/index.js';
import { readSignalFile } from '../../src/datasets/readers/generic/readSignalFile.js';
import { writeNpy } from '../../src/datasets/formats/npy.js';
import { prepareSource } from '../../src/datasets/prepareSource.js';
import { injectWriteFault, writeFileAtomic } from '../../src/results/atomic.js';
import { openRunDir } from '../../src/results/runDir.js';
import { tmp } from './helpers.js';

/** Asserts `err` is a UserError with a one-line message matching every pattern. */
function oneLineUserError(...patterns: RegExp[]): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
    assert.doesNotMatch(err.message, /[\n\r]/);
    for (const p of patterns) assert.match(err.message, p);
    return true;
  };
}

const PRE = preprocessingSchema.parse({
  targetRateHz: 100,
  windowSamples: 100,
  highpass: { enabled: false },
  normalization: { method: 'none' },
});

test('non-finite samples in .npy: UserError naming the file and the sample range', () => {
  const d = tmp();
  const x = Float32Array.from({ length: 50 }, (_, i) => i);
  x[5] = NaN;
  x[6] = NaN;
  x[7] = NaN;
  writeNpy(join(d, 'nan.npy'), x);
  assert.throws(
    () => readSignalFile(join(d, 'nan.npy'), 0, { fallbackHz: 100 }, undefined),
    oneLineUserError(/nan\.npy/, /non-finite/, /NaN/, /samples 5\.\.7/),
  );
  const y = Float64Array.from({ length: 50 }, () => 1);
  y[42] = -Infinity;
  writeNpy(join(d, 'inf.npy'), y);
  assert.throws(
    () => readSignalFile(join(d, 'inf.npy'), 0, { fallbackHz: 100 }, undefined),
    oneLineUserError(/inf\.npy/, /-Infinity/, /samples 42\.\.42/),
  );
});

test('non-finite samples in .csv (NaN, inf, empty cell): UserError naming the file, line and sample', () => {
  const d = tmp();
  for (const [name, bad, re] of [
    ['nan.csv', 'NaN', /"NaN"/],
    ['inf.csv', 'inf', /"inf"/],
    ['infinity.csv', '-Infinity', /"-Infinity"/],
    ['empty.csv', '', /""/],
  ] as const) {
    writeFileSync(join(d, name), `ecg,resp\n1,2\n3,4\n${bad},5\n6,7\n`);
    assert.throws(
      () => readSignalFile(join(d, name), 0, { fallbackHz: 100 }, undefined),
      oneLineUserError(new RegExp(name.replace('.', '\\.')), /line 4 column 0/, re, /sample 2\b/),
    );
  }
});

function shortFolder(lengths: Record<string, number>): string {
  const root = tmp();
  const rows = ['subject,recording,arousal'];
  for (const [rec, n] of Object.entries(lengths)) {
    const [subject] = rec.split('/');
    mkdirSync(join(root, subject as string), { recursive: true });
    writeNpy(
      join(root, `${rec}.npy`),
      Float32Array.from({ length: n }, (_, i) => Math.sin(i)),
    );
    rows.push(`${subject},${rec},${n % 2}`);
  }
  writeFileSync(join(root, 'labels.csv'), rows.join('\n') + '\n');
  return root;
}

test('recordings shorter than one window are skipped with a count; none left is a clear error, no store left', async () => {
  const root = shortFolder({ 'A/long': 250, 'A/short': 99, 'B/short': 40 });
  const cache = tmp();
  const source = genericSourceSchema.parse({ kind: 'generic', root, samplingRateHz: 100 });
  const s = await prepareSource(source, PRE, cache, { progress: false });
  assert.equal(s.windows, 2);
  assert.equal(s.skippedRecordings, 2);
  assert.equal(s.recordings, 1);

  const allShort = shortFolder({ 'A/a': 99, 'B/b': 10 });
  const cache2 = tmp();
  await assert.rejects(
    prepareSource(
      genericSourceSchema.parse({ kind: 'generic', root: allShort, samplingRateHz: 100 }),
      PRE,
      cache2,
      {
        progress: false,
      },
    ),
    oneLineUserError(new RegExp(allShort), /no window of 100 samples/, /2 recordings too short/),
  );
  assert.deepEqual(readdirSync(cache2), [], 'no partial store or temporary folder is left');
});

test('labels.csv rows for unknown recordings: UserError naming labels.csv, the line and the recording', async () => {
  const root = shortFolder({ 'A/r1': 150 });
  writeFileSync(join(root, 'labels.csv'), 'subject,recording,arousal\nA,A/r1,1\nA,A/ghost,0\n');
  const source = genericSourceSchema.parse({ kind: 'generic', root, samplingRateHz: 100 });
  await assert.rejects(
    async () => {
      for await (const _ of readGeneric(source, {})) void _;
    },
    oneLineUserError(/labels\.csv line 3/, /no recording file "A\/ghost"/),
  );
});

test('a results folder that cannot be written: one-line UserError, old file intact, no temporary files', async () => {
  const dir = tmp('ecgssl-ro-');
  const file = join(dir, 'metrics.json');
  writeFileSync(file, '{"old":true}\n');
  try {
    // Tests run as root, where chmod does not stop writes: the failure is injected at the single write path.
    injectWriteFault({ code: 'EACCES', afterBytes: 0 });
    await assert.rejects(
      writeFileAtomic(file, '{"new":true}\n'),
      oneLineUserError(/metrics\.json/, /permission denied/, /EACCES/),
    );
  } finally {
    injectWriteFault(undefined);
  }
  assert.equal(readFileSync(file, 'utf8'), '{"old":true}\n');
  assert.deepEqual(readdirSync(dir), ['metrics.json']);
  // Where permissions do apply (not root), a real read-only folder gives the same error.
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o555);
    try {
      await assert.rejects(writeFileAtomic(file, 'x'), oneLineUserError(/metrics\.json/, /EACCES/));
      assert.deepEqual(readdirSync(dir), ['metrics.json']);
    } finally {
      chmodSync(dir, 0o755);
    }
  }
});

test('a disk that fills up while a run directory is written: clear error, no partial or temporary files', async () => {
  const root = tmp('ecgssl-full-');
  const loaded = resolveConfig(
    `experiment: full\ndata: { kind: generic, root: ${root} }\noutput: { root: ${join(root, 'results')} }\n`,
    'full.yaml',
  );
  const run = await openRunDir(loaded);
  const before = readdirSync(run.dir).sort();
  assert.deepEqual(before, ['config.resolved.yaml', 'run.json']);
  const big = { rows: Array.from({ length: 2000 }, (_, i) => ({ fold: i % 10, accuracy: i / 2000 })) };
  try {
    injectWriteFault({ code: 'ENOSPC', afterBytes: 4096 });
    await assert.rejects(
      run.writeJson('metrics/folds.json', big),
      oneLineUserError(/folds\.json/, /no space left on device \(ENOSPC\)/),
    );
    await assert.rejects(
      run.updateRunJson({ stage: 'x'.repeat(10000) }),
      oneLineUserError(/run\.json/, /ENOSPC/),
    );
  } finally {
    injectWriteFault(undefined);
  }
  assert.deepEqual(readdirSync(run.dir).sort(), ['config.resolved.yaml', 'metrics', 'run.json']);
  assert.deepEqual(readdirSync(join(run.dir, 'metrics')), [], 'no partial metrics file, no temporary file');
  assert.doesNotMatch(
    readFileSync(join(run.dir, 'run.json'), 'utf8'),
    /xxxx/,
    'run.json keeps its last complete version',
  );
  // The same writes succeed once there is room again.
  await run.writeJson('metrics/folds.json', big);
  assert.deepEqual(JSON.parse(readFileSync(join(run.dir, 'metrics', 'folds.json'), 'utf8')), big);
});

test('a disk that fills up while the window store is written: clear error, no partial store, no temp folder', async () => {
  const root = shortFolder({ 'A/r1': 2000, 'A/r2': 1500, 'B/r1': 3000 });
  const source = genericSourceSchema.parse({ kind: 'generic', root, samplingRateHz: 100 });
  // windows.f32 holds 65 x 100 float32 = 26 000 bytes, index.json about 4 kB: both fail part-way.
  for (const [pathIncludes, afterBytes] of [
    ['windows.f32', 10_000],
    ['index.json', 1000],
  ] as const) {
    const cache = tmp();
    try {
      injectWriteFault({ code: 'ENOSPC', afterBytes, pathIncludes });
      await assert.rejects(
        prepareSource(source, PRE, cache, { progress: false }),
        oneLineUserError(new RegExp(cache), /window store/, /no space left on device \(ENOSPC\)/),
      );
    } finally {
      injectWriteFault(undefined);
    }
    assert.deepEqual(readdirSync(cache), [], `${pathIncludes}: nothing left in the cache folder`);
    // With room again the store is written whole.
    const s = await prepareSource(source, PRE, cache, { progress: false });
    assert.equal(s.windows, 20 + 15 + 30);
    assert.ok(existsSync(join(s.storeDir, 'index.json')));
  }
});

test('a cache folder that cannot be created: clear error naming it', async () => {
  const root = shortFolder({ 'A/r1': 300 });
  const blocker = join(tmp(), 'not-a-folder');
  writeFileSync(blocker, 'x');
  const source = genericSourceSchema.parse({ kind: 'generic', root, samplingRateHz: 100 });
  await assert.rejects(
    prepareSource(source, PRE, join(blocker, 'cache'), { progress: false }),
    oneLineUserError(/not-a-folder/, /window store/),
  );
});
