// The reader registry: one entry per kind, the config's `data` schema built from it, per-reader defaults.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configSchema, dataSourceSchema } from '../../src/config/schema.js';
import { READER_KINDS, READERS, readerEntry } from '../../src/datasets/readers/registry.js';
import { defaultHeadShape } from '../../src/training/finetune.js';

/** Options of each kind that no other kind accepts. */
const OWN: Record<string, Record<string, unknown>> = {
  amigos: { amigosSource: 'original', trials: [0, 1] },
  wfdb: { records: ['100'] },
  synthetic: { synthetic: { subjects: 2 } },
  dreamer: { baselines: false },
  wesad: { meditation: false },
};

test('every registry entry: its schema is its kind, it loads a reader, defaults are declared', async () => {
  assert.deepEqual(READER_KINDS, ['amigos', 'swell', 'generic', 'wfdb', 'synthetic', 'dreamer', 'wesad']);
  for (const kind of READER_KINDS) {
    const entry = READERS[kind];
    const parsed = entry.schema.parse({ kind, root: 'r' }) as Record<string, unknown>;
    assert.equal(parsed.kind, kind);
    assert.equal(typeof (await entry.load()).read, 'function', kind);
    assert.ok(entry.headShape.layers >= 1, kind);
    if (entry.labelThreshold === undefined) assert.equal('labels' in parsed, false, kind);
    else assert.deepEqual(parsed.labels, { threshold: entry.labelThreshold, scheme: 'threshold' }, kind);
  }
  assert.equal(readerEntry('deap'), undefined);
  assert.equal(readerEntry('toString'), undefined);
});

test('data: each kind accepts exactly its own options', () => {
  for (const kind of READER_KINDS) {
    assert.ok(dataSourceSchema.safeParse({ kind, root: 'r', subjects: ['a'] }).success, kind);
    for (const [other, opts] of Object.entries(OWN)) {
      const r = dataSourceSchema.safeParse({ kind, root: 'r', ...opts });
      assert.equal(r.success, other === kind, `${kind} with the options of ${other}`);
    }
  }
  assert.equal(dataSourceSchema.safeParse({ kind: 'wfdb', root: 'r', tasks: ['a'] }).success, false);
  assert.equal(dataSourceSchema.safeParse({ kind: 'synthetic', root: 'r', lead: 0 }).success, false);
  assert.equal(dataSourceSchema.safeParse({ kind: 'amigos', root: 'r', samplingRateHz: 128 }).success, false);
  assert.ok(dataSourceSchema.safeParse({ kind: 'swell', root: 'r', samplingRateHz: 2048 }).success);
  assert.equal(dataSourceSchema.safeParse({ kind: 'deap', root: 'r' }).success, false);
  assert.equal(dataSourceSchema.safeParse({ kind: 'wesad', root: 'r', lead: 0 }).success, false);
  // pretrain.extraData entries are the same union.
  const c = configSchema.parse({
    data: { kind: 'synthetic', root: 's' },
    pretrain: { extraData: [{ kind: 'wfdb', root: 'w', records: ['100'] }] },
  });
  assert.deepEqual(c.pretrain.extraData[0], { kind: 'wfdb', root: 'w', records: ['100'] });
});

test('resolved data keep the defaults of their kind', () => {
  assert.deepEqual(dataSourceSchema.parse({ kind: 'amigos', root: 'r' }), {
    kind: 'amigos',
    root: 'r',
    labels: { threshold: 5, scheme: 'threshold' },
    amigosSource: 'preprocessed',
  });
  assert.deepEqual(dataSourceSchema.parse({ kind: 'generic', root: 'r', labels: { threshold: 'median' } }), {
    kind: 'generic',
    root: 'r',
    labels: { threshold: 'median', scheme: 'threshold' },
  });
});

test('data.labelsFile is a common option of every kind; data.labels.scheme is threshold or classes', () => {
  for (const kind of READER_KINDS) {
    const r = dataSourceSchema.safeParse({ kind, root: 'r', labelsFile: 'l.csv' });
    assert.ok(r.success, kind);
    assert.equal((r.data as { labelsFile?: string }).labelsFile, 'l.csv', kind);
  }
  assert.equal(dataSourceSchema.safeParse({ kind: 'wfdb', root: 'r', labelsFile: '' }).success, false);
  const classes = dataSourceSchema.parse({ kind: 'swell', root: 'r', labels: { scheme: 'classes' } });
  assert.deepEqual((classes as { labels: unknown }).labels, { threshold: 5, scheme: 'classes' });
  const bad = dataSourceSchema.safeParse({ kind: 'amigos', root: 'r', labels: { scheme: 'ordinal' } });
  assert.equal(bad.success, false);
  assert.deepEqual(bad.error?.issues[0]?.path, ['labels', 'scheme']);
});

test('defaultHeadShape is a lookup: registry entries, then the paper-only data sets, then 2 x 512', () => {
  for (const kind of READER_KINDS) assert.deepEqual(defaultHeadShape(kind), READERS[kind].headShape, kind);
  assert.deepEqual(defaultHeadShape('amigos'), { layers: 3, dropout: 0.4, l2: 0 });
  assert.deepEqual(defaultHeadShape('swell'), { layers: 2, dropout: 0, l2: 0 });
  assert.deepEqual(defaultHeadShape('dreamer'), { layers: 3, dropout: 0.2, l2: 1e-4 });
  assert.deepEqual(defaultHeadShape('unknown-set'), { layers: 2, dropout: 0, l2: 0 });
  const a = defaultHeadShape('amigos');
  a.layers = 99; // a copy: the registry's value cannot be changed through it
  assert.equal(READERS.amigos.headShape.layers, 3);
});
