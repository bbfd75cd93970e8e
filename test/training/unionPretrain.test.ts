// Union pretraining: each fold pretrains on its training windows of `data` plus every window of pretrain.extraData.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { loadStores } from '../../src/datasets/index.js';
import { evaluationFolds } from '../../src/training/folds.js';
import { cli } from '../helpers/cli.js';

/**
 * A tiny union experiment under `dir`: `data` is a synthetic set (2 subjects x 4 recordings x 8 s at 64 Hz, 1-s
 * windows: 64 windows); extraData a second synthetic set (1 x 2 x 8 s: 16 windows) and, as another reader kind, the
 * generic reader on the files the first generator wrote (64 windows, labelled: all of them enter pretraining too).
 */
function unionYaml(dir: string, extraData: string): string {
  const syn = (root: string, subjects: number, recordings: number, seed: number): string =>
    `{ kind: synthetic, root: ${root}, synthetic: { subjects: ${subjects}, recordingsPerSubject: ${recordings}, ` +
    `recordingSeconds: 8, samplingRateHz: 64, seed: ${seed} } }`;
  return `experiment: union
seed: 2
data: ${syn(join(dir, 'primary'), 2, 4, 3)}
preprocessing: { targetRateHz: 64, windowSamples: 64 }
transformations: { permute: { segments: 8 } }
model: { filters: [4, 4, 4], kernelSizes: [8, 4, 4], headUnits: 4 }
pretrain:
  scope: fold
  epochs: 1
  batchWindows: 32
  heldOutFraction: 0
  extraData: ${extraData.replace('SYN2', syn(join(dir, 'second'), 1, 2, 9))}
evaluation: { folds: 2 }
engine: { backend: cpu }
output: { root: ${join(dir, 'results')}, cacheDir: ${join(dir, 'cache')} }
`;
}

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecgssl-union-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'pretrain scope fold: each fold pretrains on its training windows plus every extra window; run.json records the sources',
  withDir(async (dir) => {
    const file = join(dir, 'union.yaml');
    // First the two synthetic sets alone (generated on first use), then the union with, as another reader kind, the
    // generic reader on the files the second generator wrote (labels.csv gives the rate; labelled windows too).
    writeFileSync(file, unionYaml(dir, '[SYN2]'));
    const first = await cli('prepare', '--config', file, '--json', '--quiet');
    assert.equal(first.code, 0, first.stderr);
    writeFileSync(file, unionYaml(dir, `[SYN2, { kind: generic, root: ${join(dir, 'second')} }]`));
    const prep = await cli('prepare', '--config', file, '--json', '--quiet');
    assert.equal(prep.code, 0, prep.stderr);
    const windows = (JSON.parse(prep.stdout) as { sources: { windows: number }[] }).sources.map(
      (s) => s.windows,
    );
    assert.deepEqual(windows, [64, 16, 16]);

    const r = await cli('pretrain', '--config', file, '--json', '--quiet');
    assert.equal(r.code, 0, r.stderr);
    const { config } = await loadConfig({ path: file });
    const stores = await loadStores(config, { progress: false });
    const folds = evaluationFolds(stores.labelled.entries, stores.labelled.tasks, config.evaluation);
    for (const s of [stores.labelled, ...stores.extra]) s.close();
    const runDir = (JSON.parse(r.stdout) as { runDir: string }).runDir;
    assert.equal(folds.length, 2);
    for (const [k, f] of folds.entries()) {
      const m = JSON.parse(readFileSync(join(runDir, 'pretrain', `fold-${k}`, 'metrics.json'), 'utf8')) as {
        trainWindows: number;
        heldOutWindows: number;
        windowsBySource: Record<string, number>;
      };
      assert.ok(f.train.length > 0 && f.train.length < 64);
      assert.deepEqual(m.windowsBySource, {
        data: f.train.length,
        'pretrain.extraData.0': 16,
        'pretrain.extraData.1': 16,
      });
      // heldOutFraction 0: every window of the union is pretrained on.
      assert.equal(m.heldOutWindows, 0);
      assert.equal(m.trainWindows, f.train.length + 16 + 16);
    }
    const runJson = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as {
      pretrainSources: { source: string; kind: string; use: string; windows: number }[];
    };
    assert.deepEqual(
      runJson.pretrainSources.map((s) => [s.source, s.kind, s.use, s.windows]),
      [
        ['data', 'synthetic', 'training folds', 64],
        ['pretrain.extraData.0', 'synthetic', 'all windows', 16],
        ['pretrain.extraData.1', 'generic', 'all windows', 16],
      ],
    );
  }),
);

test(
  'inspect config --json shows the union; the hash includes extraData and --set pretrain.extraData=[] parses',
  withDir(async (dir) => {
    const file = join(dir, 'union.yaml');
    writeFileSync(file, unionYaml(dir, '[SYN2]'));
    const j = await cli('inspect', 'config', '--config', file, '--json');
    assert.equal(j.code, 0, j.stderr);
    const a = JSON.parse(j.stdout) as {
      hash: string;
      config: { pretrain: { extraData: { kind: string }[] } };
      pretrainSources: { source: string; kind: string; root: string; use: string }[];
    };
    assert.deepEqual(a.pretrainSources, [
      { source: 'data', kind: 'synthetic', root: join(dir, 'primary'), use: 'training folds' },
      { source: 'pretrain.extraData.0', kind: 'synthetic', root: join(dir, 'second'), use: 'all windows' },
    ]);
    const none = await cli('inspect', 'config', '--config', file, '--json', '--set', 'pretrain.extraData=[]');
    assert.equal(none.code, 0, none.stderr);
    const b = JSON.parse(none.stdout) as typeof a;
    assert.deepEqual(b.config.pretrain.extraData, []);
    assert.equal(b.pretrainSources.length, 1);
    assert.notEqual(b.hash, a.hash);
    const human = await cli('inspect', 'config', '--config', file);
    assert.match(
      human.stdout,
      /\n# pretraining on data \(synthetic .*primary, training folds\) \+ pretrain\.extraData\.0 \(synthetic .*second, all windows\)\n/,
    );
    assert.ok(!existsSync(join(dir, 'primary')) && !existsSync(join(dir, 'results')));
  }),
);

test(
  'a missing extra data folder fails at once: one line naming it and --set pretrain.extraData=[], nothing made',
  withDir(async (dir) => {
    const file = join(dir, 'union.yaml');
    const missing = join(dir, 'no-swell-here');
    writeFileSync(file, unionYaml(dir, `[SYN2, { kind: swell, root: ${missing} }]`));
    const want =
      `ecgssl: prepare: pretrain.extraData.1 (swell): folder ${missing} does not exist; put the data set there ` +
      `(README "Getting the datasets") or pretrain without the extra data sets: --set pretrain.extraData=[]\n`;
    const run = await cli('run', '--config', file);
    assert.equal(run.code, 1);
    assert.equal(run.stderr, want);
    // Nothing was generated, prepared or written, not even the run directory.
    assert.deepEqual(readdirSync(dir), ['union.yaml']);
    for (const command of ['prepare', 'pretrain']) {
      const r = await cli(command, '--config', file);
      assert.equal(r.code, 1, command);
      assert.equal(r.stderr, want, command);
    }
    // Nothing generated or prepared (`pretrain` opens its run directory before it loads the stores).
    assert.deepEqual(
      readdirSync(dir)
        .filter((f) => f !== 'results')
        .sort(),
      ['union.yaml'],
    );
    const ok = await cli('prepare', '--config', file, '--json', '--quiet', '--set', 'pretrain.extraData=[]');
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((JSON.parse(ok.stdout) as { sources: unknown[] }).sources.length, 1);
  }),
);
