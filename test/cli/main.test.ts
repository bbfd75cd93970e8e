import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram, main, REPORT_BUGS_TO, reportError } from '../../src/cli/main.js';
import { UserError } from '../../src/errors.js';
import { scoreClassification } from '../../src/metrics/index.js';
import { setCliStreams } from '../../src/cli/output.js';
import { cli } from '../helpers/cli.js';

function withTmp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'ecgssl-cli-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test('ecgssl --help lists every command and exits 0', async () => {
  const r = await cli('--help');
  assert.equal(r.code, 0);
  for (const c of ['prepare', 'pretrain', 'finetune', 'evaluate', 'run', 'doctor', 'inspect']) {
    assert.match(r.stdout, new RegExp(`^\\s+${c}\\b`, 'm'), c);
  }
  const none = await cli();
  assert.equal(none.code, 1);
  assert.match(none.stderr, /Usage: ecgssl/);
});

test('usage errors: one line, exit 1', async () => {
  const r = await cli('prepar');
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trimEnd().split('\n').length, 1);
  assert.match(r.stderr, /^ecgssl: unknown command 'prepar'.*prepare/);
  const o = await cli('inspect', 'config', '--no-such-flag');
  assert.equal(o.code, 1);
  assert.match(o.stderr, /^ecgssl: unknown option '--no-such-flag'\n$/);
  const s = await cli('inspect', 'config', '--seed', 'abc', '--config', 'configs/quickstart.yaml');
  assert.equal(s.code, 1);
  assert.match(s.stderr, /^ecgssl: .*--seed.*abc/);
  const b = await cli('inspect', 'config', '--backend', 'gpu', '--config', 'configs/quickstart.yaml');
  assert.equal(b.code, 1);
  assert.match(b.stderr, /^ecgssl: .*--backend.*gpu.*/);
});

test('a config with a typo key and a wrong type: exit 1 with file:line:col path: message lines', async () => {
  await withTmp(async (dir) => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'data:\n  kind: synthetic\n  root: x\npretrain:\n  epochz: 3\n  batchWindows: lots\n',
    );
    const r = await cli('inspect', 'config', '--config', file);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines[0], `ecgssl: config ${file} is invalid (2 problems)`);
    assert.equal(
      lines[1]?.trim(),
      `${file}:5:3 pretrain.epochz: unknown key "epochz" (did you mean "epochs"?)`,
    );
    assert.match(
      lines[2]?.trim() ?? '',
      new RegExp(`^${file.replace(/[.]/g, '\\.')}:6:17 pretrain\\.batchWindows: .*expected number`),
    );
    assert.equal(lines.length, 3);
  });
});

test('inspect config --json: --set and --seed/--backend override the file, hash and run id printed', async () => {
  const base = await cli('inspect', 'config', '--config', 'configs/quickstart.yaml', '--json');
  assert.equal(base.code, 0, base.stderr);
  const a = JSON.parse(base.stdout);
  assert.equal(a.config.experiment, 'quickstart');
  assert.equal(a.runId, a.hash.slice(0, 12));
  const r = await cli(
    'inspect',
    'config',
    '--config',
    'configs/quickstart.yaml',
    '--json',
    '--set',
    'pretrain.epochs=2',
    '--set',
    'seed=5',
    '--seed',
    '6',
    '--backend',
    'cpu',
  );
  assert.equal(r.code, 0, r.stderr);
  const b = JSON.parse(r.stdout);
  assert.equal(b.config.pretrain.epochs, 2);
  assert.equal(b.config.seed, 6);
  assert.equal(b.config.engine.backend, 'cpu');
  assert.notEqual(b.hash, a.hash);
  const human = await cli('inspect', 'config', '--config', 'configs/quickstart.yaml');
  assert.match(human.stdout, new RegExp(`^# hash ${a.hash} \\(run id ${a.runId}\\)`));
  assert.match(human.stdout, /\nexperiment: quickstart\n/);
});

test('--set with an unknown key: exit 1 naming it', async () => {
  const r = await cli(
    'inspect',
    'config',
    '--config',
    'configs/quickstart.yaml',
    '--set',
    'pretrain.epoks=2',
  );
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /^ecgssl: --set pretrain\.epoks=2: unknown config key "pretrain\.epoks" \(did you mean "epochs"\?\)\n$/,
  );
});

test('inspect schema prints the committed JSON schema', async () => {
  const r = await cli('inspect', 'schema');
  assert.equal(r.code, 0);
  assert.deepEqual(JSON.parse(r.stdout), JSON.parse(readFileSync('configs/ecgssl.schema.json', 'utf8')));
});

test('reportError: UserError -> exit 1 with details; other errors -> exit 2, one line unless --verbose', () => {
  let stderr = '';
  setCliStreams({ out: () => undefined, err: (t) => (stderr += t) });
  try {
    assert.equal(reportError(new UserError('bad thing', ['x.yaml:1:1 a: b']), false), 1);
    assert.equal(stderr, 'ecgssl: bad thing\n  x.yaml:1:1 a: b\n');
    stderr = '';
    assert.equal(reportError(new TypeError('oops\nmore'), false), 2);
    assert.equal(stderr, 'ecgssl: internal error: oops more (run with --verbose for the stack trace)\n');
    stderr = '';
    assert.equal(reportError(new TypeError('oops'), true), 2);
    assert.match(stderr, /^ecgssl: internal error: TypeError: oops\n\s+at /);
  } finally {
    setCliStreams(undefined);
  }
});

test('an InternalError inside a command: exit 2 with one "please report" line (plus the stack with --verbose)', async () => {
  // The real program plus one command whose action breaks a library invariant (labels and predictions differ in
  // length), so the error travels the same path as one thrown by a real command.
  const build = () => {
    const program = buildProgram();
    program
      .command('score-mismatch')
      .option('--verbose')
      .action(() => {
        scoreClassification([0, 1, 1], [0, 1]);
      });
    return program;
  };
  const run = async (...args: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await main(
      ['node', 'ecgssl', ...args],
      { out: (t) => (stdout += t), err: (t) => (stderr += t) },
      build,
    );
    return { code, stdout, stderr };
  };
  const r = await run('score-mismatch');
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(
    r.stderr,
    `ecgssl: internal error: scoreClassification: yTrue has 3 labels, yPred 2 (please report this to ${REPORT_BUGS_TO}; --verbose for the stack)\n`,
  );
  const v = await run('score-mismatch', '--verbose');
  assert.equal(v.code, 2);
  assert.match(
    v.stderr,
    /^ecgssl: internal error: scoreClassification: yTrue has 3 labels, yPred 2 \(please report this to .*\)\nInternalError: scoreClassification: .*\n\s+at /,
  );
});
