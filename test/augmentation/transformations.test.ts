// The transformation table: names, defaults, the config schema derived from it, validation, lookup by index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import {
  addNoise,
  applyTransformation,
  checkTransformationTable,
  flip,
  negate,
  permute,
  scale,
  timeWarp,
  TRANSFORMATION_NAMES,
  TRANSFORMATIONS,
  transformationsSchemaOf,
  type Transformation,
} from '../../src/augmentation/index.js';
import { configSchema, pretrainSchema, transformationsSchema } from '../../src/config/schema.js';
import { createRng, deriveRng } from '../../src/random/index.js';
import { InternalError } from '../../src/errors.js';

const params = transformationsSchema.parse({});

test('the table: 7 entries in head order, the authors loss weights, gallery labels', () => {
  assert.deepEqual(TRANSFORMATION_NAMES, [
    'original',
    'noise',
    'scale',
    'negate',
    'flip',
    'permute',
    'timeWarp',
  ]);
  assert.deepEqual(
    TRANSFORMATIONS.map((t) => t.defaultLossWeight),
    [0.195, 0.195, 0.195, 0.0125, 0.0125, 0.195, 0.195],
  );
  assert.equal(new Set(TRANSFORMATIONS.map((t) => t.galleryLabel)).size, 7);
});

test('the config derives from the table: transformations keys, defaults and taskWeights', () => {
  assert.deepEqual(Object.keys(params), ['noise', 'scale', 'permute', 'timeWarp']);
  assert.deepEqual(params, {
    noise: { snrDb: 15 },
    scale: { factor: 1.1 },
    permute: { segments: 20 },
    timeWarp: { segments: 9, stretchFactor: 1.05 },
  });
  assert.deepEqual(
    pretrainSchema.parse({}).taskWeights,
    TRANSFORMATIONS.map((t) => t.defaultLossWeight),
  );
  const r = configSchema.safeParse({
    data: { kind: 'synthetic', root: 'x' },
    pretrain: { taskWeights: [1, 1] },
  });
  assert.equal(r.success, false);
  assert.match(
    JSON.stringify(r.error?.issues),
    /needs one weight per transformation \(original, noise, scale, negate, flip, permute, timeWarp\)/,
  );
  assert.equal(transformationsSchema.safeParse({ flip: {} }).success, false);
  assert.equal(transformationsSchema.safeParse({ timeWarp: { stretchFactor: 1 } }).success, false);
});

test('applyTransformation(i) is entry i of the table with the same draws as the function itself', () => {
  const rng0 = createRng(5);
  const x = Float32Array.from({ length: 2560 }, () => rng0.normal());
  const direct = [
    () => Float32Array.from(x),
    (r: ReturnType<typeof createRng>) => addNoise(x, params.noise, r),
    () => scale(x, params.scale),
    () => negate(x),
    () => flip(x),
    (r: ReturnType<typeof createRng>) => permute(x, params.permute, r),
    (r: ReturnType<typeof createRng>) => timeWarp(x, params.timeWarp, r),
  ];
  direct.forEach((f, t) => {
    const a = applyTransformation(t, x, params, deriveRng(2, t));
    assert.deepEqual(a, f(deriveRng(2, t)), TRANSFORMATION_NAMES[t]);
  });
  const out = new Float32Array(2560);
  assert.equal(applyTransformation(3, x, params, createRng(1), out), out);
  assert.throws(() => applyTransformation(7, x, params, createRng(1)), /index must be 0\.\.6, got 7/);
  assert.throws(() => applyTransformation(1.5, x, params, createRng(1)), /index must be 0\.\.6, got 1\.5/);
  assert.throws(
    () => applyTransformation(0, x, params, createRng(1), new Float32Array(3)),
    /out has 3 samples, the input 2560/,
  );
  assert.throws(
    () => applyTransformation(1, x, {}, createRng(1)),
    /no parameters for transformation "noise"/,
  );
});

test('checkTransformationTable names the bad entry (an InternalError: the table is code)', () => {
  const ok = TRANSFORMATIONS[3];
  const entry = (e: Partial<Transformation>): Transformation => ({ ...ok, ...e });
  const bad: [Transformation[], RegExp][] = [
    [[], /needs 1\.\.255 entries, got 0/],
    [[ok, entry({ name: 'negate' })], /transformation 1 \("negate"\): the name is used twice/],
    [[entry({ name: 'time-warp' })], /transformation 0 \("time-warp"\): the name must be letters and digits/],
    [[entry({ defaultLossWeight: -1 })], /defaultLossWeight must be finite and >= 0, got -1/],
    [
      [entry({ paramsSchema: z.object({ k: z.number() }).strict() })],
      /every field of paramsSchema needs a default/,
    ],
  ];
  for (const [table, message] of bad) {
    const internal = (e: unknown): boolean => e instanceof InternalError && message.test(e.message);
    assert.throws(() => checkTransformationTable(table, 'f'), internal);
    assert.throws(() => transformationsSchemaOf(table), internal);
  }
  assert.doesNotThrow(() => checkTransformationTable(TRANSFORMATIONS, 'f'));
});
