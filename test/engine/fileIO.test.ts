import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileSystemIOHandler, registerFileIOHandlers } from '../../src/engine/fileIO.js';

function smallModel(): tf.LayersModel {
  const inp = tf.input({ shape: [16, 1] });
  let x = tf.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(inp) as tf.SymbolicTensor;
  x = tf.layers.leakyReLU({ alpha: 0.2 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalMaxPooling1d().apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, activation: 'softmax' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: inp, outputs: out });
}

test('file:// save + tf.loadLayersModel round-trip gives identical predictions, in the tfjs-node layout', async () => {
  await tf.setBackend('cpu');
  assert.equal(registerFileIOHandlers(), true);
  assert.equal(registerFileIOHandlers(), false); // idempotent
  const dir = mkdtempSync(join(tmpdir(), 'ecgssl-fileio-'));
  try {
    const model = smallModel();
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const x = tf.sin(tf.range(0, 3 * 16).reshape([3, 16, 1]));
    const before = (model.predict(x) as tf.Tensor).dataSync();
    const res = await model.save(`file://${join(dir, 'm')}`);
    assert.ok((res.modelArtifactsInfo.weightDataBytes ?? 0) > 0);
    assert.deepEqual(readdirSync(join(dir, 'm')).sort(), ['model.json', 'weights.bin']);
    const json = JSON.parse(readFileSync(join(dir, 'm', 'model.json'), 'utf8')) as Record<string, unknown>;
    for (const k of ['modelTopology', 'weightsManifest', 'format', 'generatedBy', 'convertedBy'])
      assert.ok(k in json, k);
    assert.equal(json.format, 'layers-model');
    const manifest = json.weightsManifest as {
      paths: string[];
      weights: { name: string; shape: number[] }[];
    }[];
    assert.deepEqual(manifest[0]?.paths, ['./weights.bin']);
    const nWeights = model.getWeights().reduce((a, w) => a + w.size, 0);
    assert.equal(readFileSync(join(dir, 'm', 'weights.bin')).length, nWeights * 4);
    assert.equal(manifest[0]?.weights.length, model.getWeights().length);

    const loaded = await tf.loadLayersModel(`file://${join(dir, 'm', 'model.json')}`);
    const after = (loaded.predict(x) as tf.Tensor).dataSync();
    assert.deepEqual(Array.from(after), Array.from(before));
    const loadedDir = await tf.loadLayersModel(fileSystemIOHandler(join(dir, 'm')));
    assert.deepEqual(Array.from((loadedDir.predict(x) as tf.Tensor).dataSync()), Array.from(before));
    tf.dispose([x]);
    model.dispose();
    loaded.dispose();
    loadedDir.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fileSystemIOHandler names the missing model', async () => {
  const h = fileSystemIOHandler('/nonexistent/ecgssl/model.json');
  await assert.rejects(() => (h.load as () => Promise<unknown>)(), /fileSystemIOHandler: no model at/);
});
