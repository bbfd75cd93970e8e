import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { parse } from 'yaml';
import { UserError } from '../../src/errors.js';
import { loadConfig, parseSetOverride, resolveConfig } from '../../src/config/load.js';
import { configHash } from '../../src/config/hash.js';
import { configSchema } from '../../src/config/schema.js';

const BASE = 'data:\n  kind: synthetic\n  root: data/synthetic\n';

function details(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof UserError, `expected UserError, got ${String(err)}`);
    return err.details.length > 0 ? err.details : [err.message];
  }
  assert.fail('expected a UserError');
}

test('typo key: file:line:col path and a suggestion', () => {
  const text = BASE + 'pretrain:\n  epochs: 3\n  batchWindowz: 16\n';
  const lines = details(() => resolveConfig(text, 'cfg.yaml'));
  assert.deepEqual(lines, [
    'cfg.yaml:6:3 pretrain.batchWindowz: unknown key "batchWindowz" (did you mean "batchWindows"?)',
  ]);
});

test('wrong type, bad enum and list element: one line each, in file order', () => {
  const text = BASE + 'pretrain:\n  epochs: many\n  scope: everything\nmodel:\n  filters: [32, x, 128]\n';
  const lines = details(() => resolveConfig(text, 'c.yaml'));
  assert.equal(lines.length, 3);
  assert.match(lines[0] ?? '', /^c\.yaml:5:11 pretrain\.epochs: .*expected number, received string$/);
  assert.match(lines[1] ?? '', /^c\.yaml:6:10 pretrain\.scope: .*"fold"\|"all"/);
  assert.match(lines[2] ?? '', /^c\.yaml:8:17 model\.filters\.1: .*expected number/);
});

test('missing required key and YAML syntax errors carry a position', () => {
  const missing = details(() => resolveConfig('data:\n  kind: synthetic\n', 'm.yaml'));
  assert.deepEqual(missing, ['m.yaml:2:3 data.root: required key is missing (expected string)']);
  const syntax = details(() => resolveConfig(BASE + 'pretrain: [1, 2\n', 's.yaml'));
  assert.ok(syntax.length >= 1);
  assert.match(syntax[0] ?? '', /^s\.yaml:\d+:\d+ YAML syntax: /);
  const dup = details(() => resolveConfig(BASE + 'seed: 1\nseed: 2\n', 'd.yaml'));
  assert.match(dup[0] ?? '', /^d\.yaml:5:1 YAML syntax: .*(unique|[Dd]uplicate)/);
});

test('--set values use YAML scalar semantics and unknown paths are errors naming them', () => {
  assert.deepEqual(parseSetOverride('pretrain.epochs=5').value, 5);
  assert.deepEqual(parseSetOverride('preprocessing.highpass.enabled=false').value, false);
  assert.deepEqual(parseSetOverride('model.filters=[8, 16, 32]').value, [8, 16, 32]);
  assert.deepEqual(parseSetOverride('experiment="123"').value, '123');
  assert.deepEqual(parseSetOverride('data.labels.threshold=median').value, 'median');
  assert.deepEqual(parseSetOverride('pretrain.extraData.0.root=x').path, [
    'pretrain',
    'extraData',
    '0',
    'root',
  ]);
  assert.throws(() => parseSetOverride('pretrain.epocs=5'), /unknown config key "pretrain\.epocs".*"epochs"/);
  assert.throws(() => parseSetOverride('nosuch=1'), /unknown config key "nosuch"/);
  assert.throws(() => parseSetOverride('pretrain.epochs'), /expected key\.path=value/);
});

test('precedence: defaults < YAML < --set (in order) < flags', () => {
  const text = BASE + 'seed: 3\npretrain:\n  epochs: 7\n  scope: all\n';
  const a = resolveConfig(text, 'p.yaml');
  assert.equal(a.config.pretrain.epochs, 7); // YAML over default 100
  assert.equal(a.config.pretrain.batchWindows, 128); // default
  const sets = ['pretrain.epochs=9', 'pretrain.epochs=11', 'seed=4'].map(parseSetOverride);
  const b = resolveConfig(text, 'p.yaml', sets);
  assert.equal(b.config.pretrain.epochs, 11); // last --set wins
  assert.equal(b.config.pretrain.scope, 'all'); // untouched sibling kept
  assert.equal(b.config.seed, 4);
  const c = resolveConfig(text, 'p.yaml', [...sets, { path: ['seed'], value: 42, label: '--seed' }]);
  assert.equal(c.config.seed, 42); // --seed over --set seed
  // null removes the key: the default applies again
  const d = resolveConfig(text, 'p.yaml', [parseSetOverride('pretrain.epochs=null')]);
  assert.equal(d.config.pretrain.epochs, 100);
});

test('a bad --set value is reported against the --set, not the file', () => {
  const lines = details(() => resolveConfig(BASE, 'f.yaml', [parseSetOverride('pretrain.epochs=abc')]));
  assert.equal(lines.length, 1);
  assert.match(lines[0] ?? '', /^--set pretrain\.epochs=abc pretrain\.epochs: .*expected number/);
});

test('hash: stable under key order and formatting, changes with a value, ignores engine (but bf16) and output', () => {
  const a = resolveConfig('seed: 2\n' + BASE + 'pretrain: { epochs: 5, scope: all }\n', 'a');
  const b = resolveConfig(BASE + 'pretrain:\n  scope: all\n  epochs: 5\nseed: 2\n', 'b');
  assert.equal(a.hash, b.hash);
  assert.match(a.hash, /^[0-9a-f]{64}$/);
  const c = resolveConfig('seed: 3\n' + BASE + 'pretrain: { epochs: 5, scope: all }\n', 'c');
  assert.notEqual(a.hash, c.hash);
  const d = resolveConfig(
    'seed: 2\n' + BASE + 'pretrain: { epochs: 5, scope: all }\nengine: { backend: cpu }\n',
    'd',
  );
  assert.equal(a.hash, d.hash);
  assert.equal(configHash(a.config), a.hash);
  // bf16 arithmetic computes something else than fp32: its own run id (fp32, the default, keeps the old one).
  const withPrecision = (p: string) =>
    resolveConfig(
      'seed: 2\n' + BASE + `pretrain: { epochs: 5, scope: all }\nengine: { precision: ${p} }\n`,
      p,
    ).hash;
  assert.equal(withPrecision('fp32'), a.hash);
  assert.notEqual(withPrecision('bf16'), a.hash);
  assert.notEqual(withPrecision('auto'), withPrecision('bf16'));
});

test('resolved YAML parses back to the same config', () => {
  const a = resolveConfig(BASE + 'finetune: { layers: 3, dropout: 0.4 }\n', 'a');
  assert.deepEqual(configSchema.parse(parse(a.yamlText)), a.config);
});

test('loadConfig: a missing file is a UserError naming it', async () => {
  await assert.rejects(loadConfig({ path: 'no/such/file.yaml' }), (e: unknown) => {
    return e instanceof UserError && /no\/such\/file\.yaml.*no such file/.test(e.message);
  });
});

test('every bundled config validates and starts with the schema comment', async () => {
  // The four union presets (amigos, swell, dreamer, wesad) are checked in test/config/presets.test.ts.
  const presets = ['amigos.yaml', 'swell.yaml', 'dreamer.yaml', 'wesad.yaml'];
  const files = readdirSync('configs').filter((f) => f.endsWith('.yaml'));
  assert.ok(files.includes('quickstart.yaml') && presets.every((p) => files.includes(p)));
  for (const f of files) {
    const path = `configs/${f}`;
    assert.ok(
      readFileSync(path, 'utf8').startsWith('# yaml-language-server: $schema=./ecgssl.schema.json\n'),
      path,
    );
    if (!presets.includes(f)) await loadConfig({ path }); // throws a UserError naming every bad field
  }
  const quick = await loadConfig({ path: 'configs/quickstart.yaml' });
  assert.equal(quick.config.data.kind, 'synthetic');
  assert.equal(quick.config.pretrain.scope, 'all');
});

test('data: unknown keys are judged against the kind given, with its keys; a bad kind names the readers', () => {
  assert.deepEqual(
    details(() => resolveConfig('data:\n  kind: wfdb\n  root: x\n  recrods: [a]\n', 'w.yaml')),
    ['w.yaml:4:3 data.recrods: unknown key "recrods" (did you mean "records"?)'],
  );
  assert.deepEqual(
    details(() => resolveConfig('data:\n  kind: wfdb\n  root: x\n  tasks: [a]\n', 'w.yaml')),
    [
      'w.yaml:4:3 data.tasks: unknown key "tasks" (data.kind "wfdb" takes: kind, root, lead, records, subjects, labelsFile)',
    ],
  );
  const kinds = '"amigos"|"swell"|"generic"|"wfdb"|"synthetic"|"dreamer"|"wesad"';
  assert.deepEqual(
    details(() => resolveConfig('data:\n  kind: deap\n  root: x\n', 'k.yaml')),
    [`k.yaml:2:9 data.kind: Invalid option: expected one of ${kinds}`],
  );
  assert.deepEqual(
    details(() => resolveConfig('data:\n  root: x\n', 'k.yaml')),
    [`k.yaml:2:3 data.kind: required key is missing (expected one of ${kinds})`],
  );
  assert.throws(() => parseSetOverride('data.recrods=[1]'), /unknown config key "data\.recrods".*"records"/);
  assert.deepEqual(parseSetOverride('data.amigosSource=original').path, ['data', 'amigosSource']);
  const lines = details(() => resolveConfig(BASE, 'f.yaml', [parseSetOverride('data.records=[a]')]));
  assert.match(
    lines[0] ?? '',
    /^--set data\.records=\[a\] data\.records: unknown key "records" \(data\.kind "synthetic" takes: /,
  );
});
