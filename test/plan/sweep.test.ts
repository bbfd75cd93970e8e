import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../../src/config/load.js';
import { configHash } from '../../src/config/hash.js';
import { UserError } from '../../src/errors.js';
import { expandSweep } from '../../src/plan/expandSweep.js';

const BASE = 'experiment: sw\ndata: { kind: synthetic, root: /tmp/ecgssl-sweep-data }\n';

function load(extra: string) {
  return resolveConfig(BASE + extra, 'sweep.yaml');
}

function configError(extra: string): UserError {
  try {
    load(extra);
  } catch (err) {
    assert.ok(err instanceof UserError, String(err));
    return err;
  }
  assert.fail('expected a config error');
}

test('a 3 x 2 grid expands into 6 points with distinct hashes, last key fastest', () => {
  const loaded = load('sweep: { seed: [1, 2, 3], "finetune.mode": [frozen, full] }\n');
  const points = expandSweep(loaded.config, 'sweep.yaml');
  assert.equal(points.length, 6);
  assert.deepEqual(
    points.map((p) => [p.id, p.loaded.config.seed, p.loaded.config.finetune.mode]),
    [
      ['p0', 1, 'frozen'],
      ['p1', 1, 'full'],
      ['p2', 2, 'frozen'],
      ['p3', 2, 'full'],
      ['p4', 3, 'frozen'],
      ['p5', 3, 'full'],
    ],
  );
  assert.equal(new Set(points.map((p) => p.loaded.hash)).size, 6);
  for (const p of points) {
    assert.equal(p.loaded.config.sweep, undefined);
    assert.equal(p.loaded.hash, configHash(p.loaded.config));
    assert.equal(p.runId, p.loaded.hash.slice(0, 12));
    assert.match(p.loaded.yamlText, new RegExp(`seed: ${p.loaded.config.seed}\\n`));
    assert.equal(p.loaded.path, 'sweep.yaml');
  }
  // Point p3 is the same config as writing its values without a sweep.
  const direct = load('seed: 2\nfinetune: { mode: full }\n');
  assert.equal(points[3]!.loaded.hash, direct.hash);
});

test('without a sweep there is one point: the config itself', () => {
  const loaded = load('seed: 5\n');
  const points = expandSweep(loaded.config);
  assert.equal(points.length, 1);
  assert.equal(points[0]!.id, 'p0');
  assert.deepEqual(points[0]!.assignments, {});
  assert.equal(points[0]!.loaded.hash, loaded.hash);
});

test('sweeps over list elements and nested objects fill in defaults', () => {
  const loaded = load(
    'sweep: { "model.filters": [[8, 16, 32], [4, 8, 8]], "finetune.adam": [{ beta1: 0.8 }] }\n',
  );
  const points = expandSweep(loaded.config);
  assert.equal(points.length, 2);
  assert.deepEqual(points[1]!.loaded.config.model.filters, [4, 8, 8]);
  assert.deepEqual(points[0]!.loaded.config.finetune.adam, { beta1: 0.8, beta2: 0.999, epsilon: 1e-8 });
});

test('an unknown sweep key is an error naming the key and its position', () => {
  const err = configError('sweep:\n  "finetune.mdoe": [frozen]\n');
  assert.equal(err.details.length, 1);
  assert.match(
    err.details[0]!,
    /^sweep\.yaml:4:\d+ sweep\.finetune\.mdoe: sweep key "finetune\.mdoe" is not a config key/,
  );
});

test('an invalid sweep value is an error naming the key and the value', () => {
  const err = configError('sweep: { "finetune.mode": [frozen, partial] }\n');
  assert.match(err.details[0]!, /sweep key "finetune\.mode": value "partial" is invalid \(finetune\.mode:/);
  const err2 = configError('sweep: { "evaluation.folds": [1] }\n');
  assert.match(err2.details[0]!, /sweep key "evaluation\.folds": value 1 is invalid/);
});

test('engine/output/experiment cannot be swept; empty and repeated value lists are errors', () => {
  assert.match(
    configError('sweep: { "engine.backend": [cpu, wasm] }\n').details[0]!,
    /"engine" cannot be swept/,
  );
  assert.match(configError('sweep: { "output.root": [a, b] }\n').details[0]!, /"output" cannot be swept/);
  assert.match(
    configError('sweep: { seed: [] }\n').details[0]!,
    /sweep\.seed: a sweep key needs at least one value/,
  );
  assert.match(
    configError('sweep: { seed: [1, 2, 1] }\n').details[0]!,
    /sweep\.seed\.2: sweep key "seed": value 1 is repeated/,
  );
  assert.match(
    configError('sweep: { "bad key": [1] }\n').details[0]!,
    /sweep key "bad key" is not a dotted config key/,
  );
});

test('two sweep values that resolve to the same config are an error naming both points', () => {
  const loaded = load('sweep: { "finetune.adam": [{}, { beta1: 0.9 }] }\n');
  assert.throws(
    () => expandSweep(loaded.config),
    /expandSweep: sweep points p0 and p1 .* resolve to the same config/,
  );
});

test('a combination that is invalid only together is an error naming the point', () => {
  const loaded = load(
    'preprocessing: { windowSamples: 64 }\nsweep: { "preprocessing.overlapSamples": [0, 32], "preprocessing.windowSamples": [64, 128] }\n',
  );
  // Every value is valid alone and in combination as far as the schema knows: 4 points.
  assert.equal(expandSweep(loaded.config).length, 4);
  const bad = load('sweep: { "finetune.dropout": [0.5], "finetune.epochs": [2] }\n');
  const config = { ...bad.config, sweep: { 'finetune.dropout': [0.5, 2] } };
  assert.throws(
    () => expandSweep(config),
    /expandSweep: sweep point p1 \(finetune\.dropout=2\) is invalid: finetune\.dropout/,
  );
});
