import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { resolveConfig } from '../../src/config/load.js';
import { dependencyClosure, planTasks } from '../../src/plan/planTasks.js';
import { parseTaskIndex, taskIndexFromEnv } from '../../src/plan/taskIndexFromEnv.js';
import { emitSlurm } from '../../src/plan/emitSlurm.js';
import { dnsLabel, emitK8s } from '../../src/plan/emitK8s.js';
import { shellQuote } from '../../src/plan/shellQuote.js';

const BASE = 'experiment: pl\ndata: { kind: synthetic, root: /tmp/ecgssl-plan-data }\n';
const load = (extra: string) => resolveConfig(BASE + extra, 'plan.yaml').config;

test('scope fold: prepare, pretrain/finetune per fold, evaluate per fold x fraction, dependencies first', () => {
  const plan = planTasks(
    load('evaluation: { folds: 3, labelFractions: ["1%", "10%"] }\npretrain: { scope: fold }\n'),
  );
  assert.deepEqual(
    plan.tasks.map((t) => t.id),
    [
      'p0-prepare',
      'p0-pretrain-f0',
      'p0-pretrain-f1',
      'p0-pretrain-f2',
      'p0-finetune-f0',
      'p0-finetune-f1',
      'p0-finetune-f2',
      'p0-evaluate-f0-1pct',
      'p0-evaluate-f0-10pct',
      'p0-evaluate-f1-1pct',
      'p0-evaluate-f1-10pct',
      'p0-evaluate-f2-1pct',
      'p0-evaluate-f2-10pct',
    ],
  );
  plan.tasks.forEach((t, i) => assert.equal(t.index, i));
  const byId = new Map(plan.tasks.map((t) => [t.id, t]));
  assert.deepEqual(byId.get('p0-finetune-f1')!.dependsOn, ['p0-pretrain-f1']);
  assert.deepEqual(byId.get('p0-evaluate-f2-10pct')!.dependsOn, ['p0-pretrain-f2']);
  assert.equal(byId.get('p0-evaluate-f2-10pct')!.labelFraction, '10%');
  assert.deepEqual(byId.get('p0-pretrain-f0')!.dependsOn, ['p0-prepare']);
  // Every dependency comes earlier in the plan (the order is topological).
  for (const t of plan.tasks)
    for (const d of t.dependsOn) assert.ok(byId.get(d)!.index < t.index, `${d} before ${t.id}`);
  assert.deepEqual(
    dependencyClosure(plan, byId.get('p0-evaluate-f1-1pct')!).map((t) => t.id),
    ['p0-prepare', 'p0-pretrain-f1', 'p0-evaluate-f1-1pct'],
  );
});

test('scope all: one pretrain per point; duplicate fractions are planned once', () => {
  const plan = planTasks(
    load('evaluation: { folds: 2, labelFractions: ["1%", "1.0%", "12.5%"] }\npretrain: { scope: all }\n'),
  );
  assert.deepEqual(
    plan.tasks.map((t) => t.id),
    [
      'p0-prepare',
      'p0-pretrain',
      'p0-finetune-f0',
      'p0-finetune-f1',
      'p0-evaluate-f0-1pct',
      'p0-evaluate-f0-12_5pct',
      'p0-evaluate-f1-1pct',
      'p0-evaluate-f1-12_5pct',
    ],
  );
  assert.equal(plan.tasks[1]!.fold, null);
  assert.deepEqual(plan.tasks[3]!.dependsOn, ['p0-pretrain']);
});

test('a sweep shares the prepare unit between points with the same data and preprocessing', () => {
  const plan = planTasks(
    load(
      'evaluation: { folds: 2 }\npretrain: { scope: all }\n' +
        'sweep: { "preprocessing.windowSamples": [256, 512], seed: [1, 2] }\n',
    ),
  );
  assert.equal(plan.points.length, 4);
  const prepares = plan.tasks.filter((t) => t.stage === 'prepare');
  // windowSamples changes the prepared windows, the seed does not: points 0/1 share, 2/3 share.
  assert.deepEqual(
    prepares.map((t) => t.id),
    ['p0-prepare', 'p2-prepare'],
  );
  const pre = (p: number) => plan.tasks.find((t) => t.id === `p${p}-pretrain`)!.dependsOn;
  assert.deepEqual(
    [pre(0), pre(1), pre(2), pre(3)],
    [['p0-prepare'], ['p0-prepare'], ['p2-prepare'], ['p2-prepare']],
  );
  // 2 prepare + 4 pretrain + 4 x 2 finetune + 4 x 2 x 1 evaluate
  assert.equal(plan.tasks.length, 2 + 4 + 8 + 8);
  assert.equal(new Set(plan.tasks.map((t) => t.id)).size, plan.tasks.length);
});

test('planning is deterministic: the same config gives the same plan', () => {
  const text = 'evaluation: { folds: 4 }\nsweep: { seed: [3, 1], "finetune.mode": [full, frozen] }\n';
  const a = planTasks(load(text));
  const b = planTasks(load(text));
  assert.deepEqual(a.tasks, b.tasks);
  assert.deepEqual(
    a.points.map((p) => p.loaded.hash),
    b.points.map((p) => p.loaded.hash),
  );
  assert.equal(a.tasks.length, 4 * (1 + 4 + 4 + 4) - 3);
});

test('taskIndexFromEnv: Slurm first, then Kubernetes, then ECGSSL_TASK_INDEX; clear errors', () => {
  assert.deepEqual(taskIndexFromEnv({ SLURM_ARRAY_TASK_ID: '3', JOB_COMPLETION_INDEX: '1' }, 5), {
    index: 3,
    variable: 'SLURM_ARRAY_TASK_ID',
  });
  assert.deepEqual(taskIndexFromEnv({ SLURM_ARRAY_TASK_ID: '', JOB_COMPLETION_INDEX: '4' }, 5), {
    index: 4,
    variable: 'JOB_COMPLETION_INDEX',
  });
  assert.deepEqual(taskIndexFromEnv({ ECGSSL_TASK_INDEX: '0' }, 1), {
    index: 0,
    variable: 'ECGSSL_TASK_INDEX',
  });
  assert.throws(
    () => taskIndexFromEnv({}, 5),
    /none is set.*SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, ECGSSL_TASK_INDEX|SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, ECGSSL_TASK_INDEX.*none is set/,
  );
  assert.throws(
    () => taskIndexFromEnv({ JOB_COMPLETION_INDEX: '5' }, 5),
    /JOB_COMPLETION_INDEX=5 is out of range: the plan has 5 tasks \(indices 0\.\.4\)/,
  );
  assert.throws(
    () => taskIndexFromEnv({ ECGSSL_TASK_INDEX: '-1' }, 5),
    /ECGSSL_TASK_INDEX must be a non-negative integer, got "-1"/,
  );
  assert.throws(
    () => taskIndexFromEnv({ SLURM_ARRAY_TASK_ID: '2x' }, 5),
    /SLURM_ARRAY_TASK_ID must be a non-negative integer, got "2x"/,
  );
  assert.equal(parseTaskIndex(' 7 ', 8, '--index'), 7);
  assert.throws(() => parseTaskIndex('8', 8, '--index'), /--index=8 is out of range/);
});

test('emitSlurm: a job array 0-(N-1)%P running ecgssl task --task-index-from-env', () => {
  const script = emitSlurm({
    ecgssl: ['/usr/bin/node', '/opt/ecgssl/bin/ecgssl.js'],
    configPath: '/home/me/my configs/x.yaml',
    extraArgs: ['--set', 'pretrain.epochs=2'],
    count: 13,
    parallel: 3,
    jobName: 'ecgssl-pl',
    logDir: '/home/me/results/pl/slurm-logs',
    workDir: '/home/me',
    ids: ['p0-prepare', 'p0-pretrain'],
    setThreads: true,
  });
  const lines = script.split('\n');
  assert.equal(lines[0], '#!/bin/bash');
  assert.ok(lines.includes('#SBATCH --array=0-12%3'), script);
  assert.ok(lines.includes('#SBATCH --job-name=ecgssl-pl'));
  assert.ok(lines.includes('#SBATCH --cpus-per-task=2'));
  assert.ok(lines.includes('#SBATCH --output=/home/me/results/pl/slurm-logs/%x-%A_%a.out'));
  assert.ok(lines.includes('#   1: p0-pretrain'));
  const exec = lines.find((l) => l.startsWith('exec '))!;
  assert.equal(
    exec,
    `exec /usr/bin/node /opt/ecgssl/bin/ecgssl.js task --config '/home/me/my configs/x.yaml' --set pretrain.epochs=2 --set "engine.threads=\${SLURM_CPUS_PER_TASK:-2}" --task-index-from-env`,
  );
  assert.throws(
    () =>
      emitSlurm({
        ecgssl: ['e'],
        configPath: 'c',
        count: 0,
        parallel: 1,
        jobName: 'j',
        logDir: 'l',
        workDir: 'w',
      }),
    /no task/,
  );
  assert.throws(
    () =>
      emitSlurm({
        ecgssl: ['e'],
        configPath: 'c',
        count: 2,
        parallel: 0,
        jobName: 'j',
        logDir: 'l',
        workDir: 'w',
      }),
    /--parallel/,
  );
});

test('emitK8s: an Indexed Job with completions N and parallelism P', () => {
  const text = emitK8s({
    ecgssl: ['ecgssl'],
    configPath: 'configs/x.yaml',
    count: 13,
    parallel: 4,
    jobName: 'ecgssl-My_Experiment',
    image: 'registry/ecgssl:1',
    workDir: '/work',
    pvc: 'ecgssl-results',
    setThreads: true,
  });
  const m = parseYaml(text) as {
    apiVersion: string;
    kind: string;
    metadata: { name: string };
    spec: {
      completionMode: string;
      completions: number;
      parallelism: number;
      template: {
        spec: {
          restartPolicy: string;
          containers: { image: string; command: string[]; workingDir: string }[];
          volumes: { persistentVolumeClaim: { claimName: string } }[];
        };
      };
    };
  };
  assert.equal(m.apiVersion, 'batch/v1');
  assert.equal(m.kind, 'Job');
  assert.equal(m.metadata.name, 'ecgssl-my-experiment');
  assert.equal(m.spec.completionMode, 'Indexed');
  assert.equal(m.spec.completions, 13);
  assert.equal(m.spec.parallelism, 4);
  const pod = m.spec.template.spec;
  assert.equal(pod.restartPolicy, 'Never');
  assert.equal(pod.containers[0]!.image, 'registry/ecgssl:1');
  assert.deepEqual(pod.containers[0]!.command, [
    'ecgssl',
    'task',
    '--config',
    'configs/x.yaml',
    '--set',
    'engine.threads=2',
    '--task-index-from-env',
  ]);
  assert.equal(pod.volumes[0]!.persistentVolumeClaim.claimName, 'ecgssl-results');
  assert.equal(dnsLabel('__'), 'ecgssl');
});

test('shellQuote quotes what a shell would split or expand', () => {
  assert.equal(shellQuote('a/b.yaml'), 'a/b.yaml');
  assert.equal(shellQuote('a b'), `'a b'`);
  assert.equal(shellQuote(`it's`), `'it'\\''s'`);
  assert.equal(shellQuote('$HOME'), `'$HOME'`);
  assert.equal(shellQuote(''), `''`);
});
