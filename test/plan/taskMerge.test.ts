import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { cli, tinyConfigYaml } from '../helpers/cli.js';

interface Unit {
  id: string;
  status: string;
  role: string;
}

const dir = mkdtempSync(join(tmpdir(), 'ecgssl-tasks-'));
const configPath = join(dir, 'tiny.yaml');
// 2 synthetic subjects x 4 recordings x 8 s at 64 Hz, 1-s windows (64 windows), 2 folds, one pretraining (scope all).
writeFileSync(
  configPath,
  tinyConfigYaml(dir, {
    experiment: 'tasks',
    finetune: '{ epochs: 2, batchSize: 16, units: 8, layers: 1, baselineEpochs: 1 }',
    evaluation: "{ folds: 2, labelFractions: ['50%'] }",
    engine: '{ backend: wasm, threads: 1 }',
  }),
);
test.after(() => rmSync(dir, { recursive: true, force: true }));

const EXPECTED_IDS = [
  'p0-prepare',
  'p0-pretrain',
  'p0-finetune-f0',
  'p0-finetune-f1',
  'p0-evaluate-f0-50pct',
  'p0-evaluate-f1-50pct',
];
let runDir = '';

test('plan --json lists the units; --emit k8s is an Indexed Job over them', async () => {
  const r = await cli('plan', '--config', configPath, '--json');
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as {
    count: number;
    tasks: { id: string }[];
    planFile: string;
    points: { runId: string }[];
  };
  assert.equal(plan.count, 6);
  assert.deepEqual(
    plan.tasks.map((t) => t.id),
    EXPECTED_IDS,
  );
  assert.ok(existsSync(plan.planFile), 'the plan file is written for ecgssl merge');
  runDir = join(dir, 'results', 'tasks', plan.points[0]!.runId);
  const k = await cli('plan', '--config', configPath, '--emit', 'k8s', '--parallel', '3');
  assert.equal(k.code, 0, k.stderr);
  const job = parseYaml(k.stdout) as {
    spec: { completionMode: string; completions: number; parallelism: number };
  };
  assert.deepEqual([job.spec.completionMode, job.spec.completions, job.spec.parallelism], ['Indexed', 6, 3]);
});

test('task runs its missing dependencies, then skips what exists; --force redoes only the task', async () => {
  const r = await cli('task', '--config', configPath, '--index', '2', '--json', '--quiet');
  assert.equal(r.code, 0, r.stderr);
  const first = JSON.parse(r.stdout) as { id: string; units: Unit[] };
  assert.equal(first.id, 'p0-finetune-f0');
  assert.deepEqual(
    first.units.map((u) => [u.id, u.role, u.status]),
    [
      ['p0-prepare', 'dependency', 'done'],
      ['p0-pretrain', 'dependency', 'done'],
      ['p0-finetune-f0', 'task', 'done'],
    ],
  );
  const unitFile = join(runDir, 'units', 'f0-100pct.json');
  const saved = JSON.parse(readFileSync(unitFile, 'utf8')) as {
    folds: { fold: number; arm: string }[];
    configHash: string;
  };
  assert.ok(saved.folds.length > 0 && saved.folds.every((f) => f.fold === 0));

  const again = JSON.parse(
    (await cli('task', '--config', configPath, '--id', 'p0-finetune-f0', '--json', '-q')).stdout,
  ) as { units: Unit[] };
  assert.deepEqual(
    again.units.map((u) => u.status),
    ['skipped', 'skipped', 'skipped'],
  );
  const forced = JSON.parse(
    (await cli('task', '--config', configPath, '--index', '2', '--force', '--json', '-q')).stdout,
  ) as { units: Unit[] };
  assert.deepEqual(
    forced.units.map((u) => u.status),
    ['skipped', 'skipped', 'done'],
  );
  const redone = JSON.parse(readFileSync(unitFile, 'utf8')) as typeof saved;
  // Same seeds, same engine: the redone fold has the same scores.
  assert.deepEqual(
    redone.folds.map((f) => JSON.stringify({ ...f, seconds: 0 })),
    saved.folds.map((f) => JSON.stringify({ ...f, seconds: 0 })),
  );
  // A result file of another config (hash) is not taken as done.
  writeFileSync(unitFile, JSON.stringify({ ...saved, configHash: 'f'.repeat(64) }));
  const other = JSON.parse(
    (await cli('task', '--config', configPath, '--index', '2', '--json', '-q')).stdout,
  ) as { units: Unit[] };
  assert.equal(other.units.at(-1)!.status, 'done');
});

test('task index errors: none given, out of range, from the environment', async () => {
  const none = await cli('task', '--config', configPath);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /give exactly one of --index <i>, --id <id>, --task-index-from-env/);
  const far = await cli('task', '--config', configPath, '--index', '6');
  assert.equal(far.code, 1);
  assert.match(far.stderr, /--index=6 is out of range: the plan has 6 tasks \(indices 0\.\.5\)/);
  const saved = { ...process.env };
  try {
    delete process.env.SLURM_ARRAY_TASK_ID;
    delete process.env.JOB_COMPLETION_INDEX;
    delete process.env.ECGSSL_TASK_INDEX;
    const unset = await cli('task', '--config', configPath, '--task-index-from-env');
    assert.equal(unset.code, 1);
    assert.match(unset.stderr, /needs one of SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, ECGSSL_TASK_INDEX/);
    process.env.ECGSSL_TASK_INDEX = 'x';
    const bad = await cli('task', '--config', configPath, '--task-index-from-env');
    assert.match(bad.stderr, /ECGSSL_TASK_INDEX must be a non-negative integer, got "x"/);
    process.env.ECGSSL_TASK_INDEX = '1';
    const ok = await cli('task', '--config', configPath, '--task-index-from-env', '--json', '-q');
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual((JSON.parse(ok.stdout) as { id: string; source: string }).source, 'ECGSSL_TASK_INDEX');
  } finally {
    process.env = saved;
  }
});

test('merge: partial results give a summary and the missing ids; exit 1 unless --allow-partial', async () => {
  const r = await cli('merge', join(dir, 'results', 'tasks'), '--json', '-q');
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /merge: 3 of 6 tasks have no result \(p0-finetune-f1, p0-evaluate-f0-50pct, p0-evaluate-f1-50pct\); pass --allow-partial/,
  );
  const out = JSON.parse(r.stdout) as {
    missing: string[];
    done: string[];
    points: { unitsFound: number; unitsPlanned: number }[];
  };
  assert.deepEqual(out.missing, ['p0-finetune-f1', 'p0-evaluate-f0-50pct', 'p0-evaluate-f1-50pct']);
  assert.deepEqual(out.done, ['p0-prepare', 'p0-pretrain', 'p0-finetune-f0']);
  assert.deepEqual([out.points[0]!.unitsFound, out.points[0]!.unitsPlanned], [1, 4]);
  const partial = await cli('merge', join(dir, 'results'), '--allow-partial', '-q');
  assert.equal(partial.code, 0, partial.stderr);
  assert.match(partial.stdout, /^3\/6 tasks done$/m);
  assert.match(partial.stdout, /^missing: p0-finetune-f1 p0-evaluate-f0-50pct p0-evaluate-f1-50pct$/m);
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as {
    rows: { arm: string; n: number; labelFraction: string }[];
  };
  assert.ok(summary.rows.length > 0);
  assert.ok(summary.rows.every((row) => row.n === 1 && row.labelFraction === '100%'));
  // The remaining units, then a complete merge (exit 0) with both folds.
  for (const i of ['3', '4', '5'])
    assert.equal((await cli('task', '--config', configPath, '--index', i, '-q')).code, 0);
  const full = await cli('merge', runDir, '-q');
  assert.equal(full.code, 0, full.stderr);
  assert.match(full.stdout, /^6\/6 tasks done$/m);
  const merged = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as typeof summary;
  assert.ok(merged.rows.some((row) => row.labelFraction === '50%' && row.n === 2));
  assert.ok(existsSync(join(runDir, 'evaluate', 'folds.csv')));
  // The merge rewrites the run's report.html, with the evaluated fraction in its summary table.
  assert.match(full.stdout, new RegExp(`^report ${join(runDir, 'report.html')}$`, 'm'));
  assert.match(readFileSync(join(runDir, 'report.html'), 'utf8'), /<td>50%<\/td><td>difference<\/td>/);
  const nowhere = await cli('merge', join(dir, 'nothing-here'));
  assert.equal(nowhere.code, 1);
  assert.match(nowhere.stderr, /results folder .*nothing-here does not exist/);
});
