// Progress without a terminal: plain stderr lines per fold and per interval, with stage, fold, epoch, loss and times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tinyConfigYaml } from '../helpers/cli.js';
import { createProgress, formatDuration, progressIntervalMs } from '../../src/util/progress.js';
import { captureStderr } from '../helpers/captureStderr.js';

const child = fileURLToPath(new URL('../plan/cliChild.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ecgssl-progress-'));
const configPath = join(dir, 'tiny.yaml');
writeFileSync(
  configPath,
  tinyConfigYaml(dir, {
    experiment: 'tiny',
    finetune: '{ epochs: 3, batchSize: 16, units: 16, layers: 1, baselineEpochs: 2 }',
    evaluation: "{ folds: 4, labelFractions: ['25%'] }",
    engine: '{ backend: cpu }',
  }),
);
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** `ecgssl run` on the tiny config with stderr piped (not a terminal), the interval set to `intervalS`. */
function runPiped(root: string, intervalS: string): { stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', child, 'run', '--config', configPath, '--set', `output.root=${join(dir, root)}`],
    {
      env: { ...process.env, ECGSSL_PROGRESS_INTERVAL_S: intervalS, TF_CPP_MIN_LOG_LEVEL: '2' },
      encoding: 'utf8',
    },
  );
  assert.equal(r.status, 0, r.stderr);
  return { stdout: r.stdout, stderr: r.stderr };
}

const TIME = /elapsed \d+(s|m\d\ds) {2}remaining ~(\d+(s|m\d\ds)|unknown)$/;

test('formatDuration', () => {
  assert.equal(formatDuration(42.4), '42s');
  assert.equal(formatDuration(185), '3m05s');
  assert.equal(formatDuration(7440), '2h04m');
});

test('stderr piped: one line per fold (and per epoch of pretraining) with stage, fold, epoch, loss, elapsed, remaining', () => {
  // An interval longer than the run: only the lines of the fold ends (and of the epochs' ends).
  const { stdout, stderr } = runPiped('a', '3600');
  const lines = stderr.split('\n');
  for (const stage of ['finetune', 'evaluate']) {
    const foldLines = lines.filter((l) => l.startsWith(`${stage}: fold `));
    assert.deepEqual(
      foldLines.map((l) => /^\w+: fold (\d)\/4 /.exec(l)?.[1]),
      ['1', '2', '3', '4'],
      `${stage} lines:\n${foldLines.join('\n')}`,
    );
    for (const l of foldLines) {
      assert.match(l, / {2}epoch \d\/\d {2}loss \d+\.\d{4} {2}\d+\/\d+ fits {2}/, l);
      assert.match(l, TIME, l);
    }
    assert.match(foldLines.at(-1)!, / {2}(\d+)\/\1 fits {2}.*remaining ~0s$/);
  }
  const pre = lines.filter((l) => /^pretrain all epoch 1\/1: /.test(l));
  assert.equal(pre.length, 1, stderr);
  assert.match(pre[0]!, /batches in [\d.]+s {2}loss \d+\.\d{4} {2}acc [\d.]+ {2}elapsed \d+s {2}remaining ~0s$/);
  // Results stay on stdout, progress never goes there.
  assert.match(stdout, /^arousal /m);
  assert.doesNotMatch(stdout, /elapsed|remaining/);
});

test('plain reporter: a line when asked or when the interval passed, never more often', async () => {
  const saved = process.env.ECGSSL_PROGRESS_INTERVAL_S;
  try {
    process.env.ECGSSL_PROGRESS_INTERVAL_S = '';
    assert.equal(progressIntervalMs(), 30_000);
    process.env.ECGSSL_PROGRESS_INTERVAL_S = '3600';
    const { stderr } = await captureStderr(async () => {
      const p = createProgress({
        label: 'finetune',
        total: 4,
        unit: 'fits',
        stage: { startedMs: Date.now() - 10_000, before: 0, total: 4 },
      });
      p.update(0.5, { fold: '1/2', epoch: '1/2', loss: 0.5 });
      p.update(1, { fold: '1/2', epoch: '2/2', loss: 0.25 }, { line: true });
      p.update(2, { fold: '2/2', epoch: '1/2', loss: 0.2 });
      process.env.ECGSSL_PROGRESS_INTERVAL_S = '0';
      const q = createProgress({ label: 'pretrain', total: 10, unit: 'batches' });
      q.update(5, { loss: 1 });
    });
    const lines = stderr.trim().split('\n');
    assert.equal(lines.length, 2, stderr);
    assert.match(
      lines[0]!,
      /^finetune: fold 1\/2 {2}epoch 2\/2 {2}loss 0\.2500 {2}1\/4 fits {2}elapsed 10s {2}remaining ~30s$/,
    );
    assert.match(lines[1]!, /^pretrain: loss 1 {2}5\/10 batches {2}elapsed 0s {2}remaining ~0s$/);
  } finally {
    if (saved === undefined) delete process.env.ECGSSL_PROGRESS_INTERVAL_S;
    else process.env.ECGSSL_PROGRESS_INTERVAL_S = saved;
  }
});
