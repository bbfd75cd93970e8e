// The pretrain stage: window sources, the pretext figure (accuracy and F1), saved encoders, the unit's files (history, metrics).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { WindowStore } from '../../src/datasets/types.js';
import { fileSystemIOHandler } from '../../src/engine/index.js';
import { buildEncoder, buildStrNetwork } from '../../src/models/index.js';
import { concatSource, loadEncoder, pretextSpec } from '../../src/training/pretrainStage.js';
import { renderVegaLiteSvg } from '../../src/plots/index.js';
import { TRANSFORMATION_NAMES } from '../../src/augmentation/index.js';
import { cli, tinyConfigYaml } from '../helpers/cli.js';
import { captureStderr } from '../helpers/captureStderr.js';

await tf.setBackend('cpu');

function fakeStore(n: number, ws: number, base: number): WindowStore {
  return {
    dir: '',
    hash: '',
    windowSamples: ws,
    samplingRateHz: 256,
    entries: Array.from({ length: n }, (_, i) => ({
      subject: 's',
      recording: 'r',
      window: i,
      labels: {},
      source: 0,
    })),
    tasks: {},
    read(indices) {
      const out = new Float32Array(indices.length * ws);
      indices.forEach((i, k) => out.fill(base + i, k * ws, (k + 1) * ws));
      return out;
    },
    close() {},
  };
}

test('concatSource reads across stores by global index', () => {
  const src = concatSource([fakeStore(3, 4, 0), fakeStore(2, 4, 100)]);
  assert.deepEqual([...src.read([4, 0, 3])], [101, 101, 101, 101, 0, 0, 0, 0, 100, 100, 100, 100]);
});

test('pretextSpec plots held-out accuracy and F1 of the 7 heads, one panel each with its chance rule; a missing column is an error', async () => {
  const row: Record<string, number> = { epoch: 1, heldout_acc_mean: 0.9 };
  for (const t of TRANSFORMATION_NAMES) {
    row[`heldout_acc_${t}`] = 0.86;
    row[`heldout_f1_${t}`] = 0.1;
  }
  const spec = pretextSpec([row, { ...row, epoch: 2 }], 'x') as {
    title: { text: string; subtitle: string[] };
    data: { values: { head: string; metric: string; value: number; chance: number }[] };
    facet: { row: { sort: string[] }; column: { sort: string[] } };
  };
  assert.equal(spec.data.values.length, 2 * 7 * 2);
  assert.deepEqual(spec.facet.row.sort, TRANSFORMATION_NAMES);
  assert.deepEqual(spec.facet.column.sort, ['accuracy', 'F1']);
  assert.match(spec.title.text, /held-out accuracy and F1/);
  assert.match(spec.title.subtitle.join(' '), /accuracy 6\/7 .*F1 1\/7/);
  const chance = new Map(spec.data.values.map((v) => [v.metric, v.chance]));
  assert.equal(chance.get('accuracy'), 6 / 7);
  assert.equal(chance.get('F1'), 1 / 7);
  const svg = await renderVegaLiteSvg(spec);
  assert.equal((svg.match(/mark-rule role-mark/g) ?? []).length, 14, 'one chance rule per panel');
  assert.match(svg, />accuracy<\/text>/);
  assert.match(svg, />F1<\/text>/);
  const { heldout_f1_timeWarp: _dropped, ...partial } = row;
  assert.throws(() => pretextSpec([partial], 'x'), /no column heldout_f1_timeWarp/);
});

test('a saved encoder loads back with loadEncoder and gives the same embeddings', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecgssl-enc-'));
  try {
    const model = buildStrNetwork({
      windowSamples: 128,
      filters: [4, 8, 16],
      kernelSizes: [8, 4, 4],
      headUnits: 8,
      seed: 2,
    });
    const enc = buildEncoder(model);
    await enc.save(fileSystemIOHandler(join(dir, 'encoder')));
    const back = await loadEncoder(join(dir, 'encoder'));
    const x = tf.randomNormal([2, 128, 1], 0, 1, 'float32', 3);
    assert.deepEqual((back.predict(x) as tf.Tensor).dataSync(), (enc.predict(x) as tf.Tensor).dataSync());
    await assert.rejects(loadEncoder(join(dir, 'missing')), /loadEncoder/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ecgssl pretrain: history columns per transformation name, heads at chance in metrics.json and on stderr', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecgssl-pt-'));
  try {
    const config = join(dir, 'tiny.yaml');
    writeFileSync(
      config,
      tinyConfigYaml(dir, {
        experiment: 'pt',
        finetune: '{}',
        evaluation: '{ folds: 2 }',
        engine: '{ backend: cpu }',
      }),
    );
    const { value: r, stderr } = await captureStderr(() => cli('pretrain', '--config', config, '--quiet'));
    assert.equal(r.code, 0, r.stderr);
    const unit = join(/run directory (.*)$/m.exec(r.stdout)![1]!, 'pretrain', 'all');
    const header = readFileSync(join(unit, 'history.csv'), 'utf8').split('\n')[0]!.split(',');
    for (const name of TRANSFORMATION_NAMES)
      for (const col of [`train_acc_${name}`, `train_f1_${name}`]) assert.ok(header.includes(col), col);
    assert.ok(!header.some((h) => h.endsWith('_warp') || h.includes('undefined')), header.join());
    const metrics = JSON.parse(readFileSync(join(unit, 'metrics.json'), 'utf8')) as {
      metrics: { task: string; f1: number }[];
      headsAtChance: string[];
    };
    assert.deepEqual(
      metrics.metrics.map((m) => m.task),
      TRANSFORMATION_NAMES,
    );
    assert.deepEqual(
      metrics.headsAtChance,
      metrics.metrics.filter((m) => m.f1 < 0.2).map((m) => m.task),
    );
    const warning = /^warning: pretrain all: heads still at chance .*\(training F1 < 0\.2\): (.*)$/m.exec(
      stderr,
    );
    if (metrics.headsAtChance.length === 0) assert.equal(warning, null, stderr);
    else
      assert.deepEqual(
        warning?.[1]?.split(', ').map((t) => t.split(' ')[0]),
        metrics.headsAtChance,
        stderr,
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
