import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { addCommonOptions, loadRunConfig, parseCommonOptions, setupLogging } from '../../src/cli/common.js';
import { formatPrepareSummaries } from '../../src/cli/commands/prepare.js';
import { formatTable } from '../../src/cli/output.js';
import { getLogLevel, setLogLevel } from '../../src/util/log.js';

function parse(...args: string[]) {
  const cmd = addCommonOptions(new Command('x').exitOverride());
  cmd.parse(args, { from: 'user' });
  return parseCommonOptions(cmd.opts());
}

test('addCommonOptions + parseCommonOptions: defaults, repeatable --set, typed --seed/--backend', () => {
  assert.deepEqual(parse(), { set: [], json: false, quiet: false, verbose: false });
  const o = parse(
    '--config',
    'a.yaml',
    '--set',
    'a=1',
    '--set',
    'b=2',
    '--seed',
    '7',
    '--backend',
    'wasm',
    '--json',
  );
  assert.equal(o.config, 'a.yaml');
  assert.deepEqual(o.set, ['a=1', 'b=2']);
  assert.equal(o.seed, 7);
  assert.equal(o.backend, 'wasm');
  assert.equal(o.json, true);
  assert.throws(() => parse('--backend', 'gpu'), /gpu/);
  assert.throws(() => parse('--seed', '1.5'), /--seed: expected an integer/);
  assert.throws(() => parseCommonOptions({ set: [], backend: 'tpu' }), /invalid options/);
});

test('setupLogging maps --quiet/--verbose to the log level', () => {
  try {
    setupLogging({ quiet: true, verbose: false, json: false });
    assert.equal(getLogLevel(), 'quiet');
    setupLogging({ quiet: false, verbose: true, json: true });
    assert.equal(getLogLevel(), 'verbose');
  } finally {
    setLogLevel('normal');
    setupLogging({ quiet: false, verbose: false, json: false });
  }
});

test('loadRunConfig: --backend and --seed beat --set and the file; no config is an error', async () => {
  const opts = parseCommonOptions({
    config: 'configs/quickstart.yaml',
    set: ['engine.backend=cpu', 'seed=3'],
    seed: 11,
    backend: 'wasm',
  });
  const loaded = await loadRunConfig(opts);
  assert.equal(loaded.config.engine.backend, 'wasm');
  assert.equal(loaded.config.seed, 11);
  assert.equal(loaded.path, 'configs/quickstart.yaml');
  await assert.rejects(loadRunConfig(parseCommonOptions({})), /no config given: pass --config/);
});

test('prepare summary table and formatTable alignment', () => {
  const text = formatPrepareSummaries([
    {
      storeDir: 'data/cache/abc',
      hash: 'abc',
      windows: 384,
      subjects: 8,
      recordings: 32,
      labelCounts: { arousal: { '0': 192, '1': 192 } },
      cached: false,
    },
  ]);
  const lines = text.split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[1] ?? '', /^data\s+384\s+8\s+32\s+arousal 0:192\/1:192\s+prepared\s+data\/cache\/abc$/);
  assert.equal(
    formatTable(
      ['a', 'n'],
      [
        ['x', 5],
        ['yy', 1234],
      ],
    ),
    'a       n\nx       5\nyy  1,234',
  );
});
