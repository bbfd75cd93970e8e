import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { cli, tinyConfigYaml } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ecgssl-run-'));
const configPath = join(dir, 'tiny.yaml');
// A tiny experiment: 2 synthetic subjects x 4 recordings x 8 s at 64 Hz, 1-s windows (64 windows), a narrow trunk.
writeFileSync(
  configPath,
  tinyConfigYaml(dir, {
    experiment: 'tiny',
    finetune: '{ epochs: 3, batchSize: 16, units: 16, layers: 1, baselineEpochs: 1 }',
    evaluation: "{ folds: 4, labelFractions: ['25%'] }",
    engine: '{ backend: cpu }',
  }),
);

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('finetune and evaluate without an encoder: one-line error saying to run ecgssl pretrain', async () => {
  for (const cmd of ['finetune', 'evaluate']) {
    const r = await cli(cmd, '--config', configPath, '--quiet');
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `^ecgssl: ${cmd}: no pretrained encoder in .*pretrain/all/encoder .*run "ecgssl pretrain --config .*tiny.yaml" first, or "ecgssl run`,
      ),
    );
  }
});

let runDir = '';

test('ecgssl run: every stage, summary.csv/json, folds.csv, figures, terminal table', async () => {
  const r = await cli('run', '--config', configPath, '--quiet');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^prepare\s+done/m);
  assert.match(r.stdout, /^pretrain\s+done/m);
  assert.match(r.stdout, /^finetune\s+done/m);
  assert.match(r.stdout, /^evaluate\s+done/m);
  assert.match(
    r.stdout,
    /^arousal\s+ssl\s+acc \d\.\d{3} \+- \d\.\d{3} {2}F1 \d\.\d{3} \+- \d\.\d{3} \(n=4\)$/m,
  );
  assert.match(r.stdout, /^valence\s+baseline\s+acc .*\(n=4\) \[25% labels\]$/m);
  assert.match(
    r.stdout,
    /^arousal\s+difference\s+acc [+-]\d\.\d{3} .*\[25% labels\] {2}F1 95% CI (\[[+-]\d\.\d{3}, [+-]\d\.\d{3}\]|n\/a) p\(t\)[=<]\S+ p\(W\)[=<]\S+/m,
  );
  runDir = /run directory (.*)$/m.exec(r.stdout)![1]!;
  const csv = Papa.parse<Record<string, string>>(readFileSync(join(runDir, 'summary.csv'), 'utf8'), {
    header: true,
    skipEmptyLines: true,
  });
  assert.deepEqual(csv.meta.fields, [
    'dataset',
    'task',
    'arm',
    'labelFraction',
    'metric',
    'mean',
    'std',
    'n',
    'folds',
    'ci95Low',
    'ci95High',
    'pTTest',
    'pWilcoxon',
  ]);
  assert.ok(csv.data.length > 0);
  for (const row of csv.data) {
    assert.ok(Number.isFinite(Number(row.mean)) && Number.isFinite(Number(row.std)), JSON.stringify(row));
    assert.equal(row.folds!.split(';').length, Number(row.n));
  }
  const fractions = new Set(csv.data.map((row) => row.labelFraction));
  assert.deepEqual(fractions, new Set(['100%', '25%']));
  const arms = new Set(csv.data.map((row) => row.arm));
  assert.deepEqual(arms, new Set(['ssl', 'baseline', 'difference']));
  const json = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as {
    rows: {
      arm: string;
      foldValues: number[];
      n: number;
      pTTest?: number | null;
      pWilcoxon?: number | null;
    }[];
  };
  assert.equal(json.rows.length, csv.data.length);
  assert.ok(json.rows.every((row) => row.foldValues.length === row.n));
  for (const row of json.rows)
    assert.equal(row.arm === 'difference', 'pTTest' in row && 'pWilcoxon' in row, JSON.stringify(row));
  const folds = readFileSync(join(runDir, 'folds.csv'), 'utf8');
  assert.match(
    folds.split('\n')[0]!,
    /^dataset,task,arm,labelFraction,fold,status,.*accuracy,f1Macro,f1Official/,
  );
  for (const fig of [
    'transformations',
    'finetune-folds-accuracy',
    'finetune-confusion-arousal-ssl',
    'evaluate-folds-accuracy-25pct',
    'label-fraction-curve',
  ])
    for (const ext of ['svg', 'png', 'vl.json'])
      assert.ok(existsSync(join(runDir, 'figures', `${fig}.${ext}`)), `${fig}.${ext}`);
});

test('a second ecgssl run skips every stage with outputs; --json prints runDir and summary', async () => {
  const r = await cli('run', '--config', configPath, '--quiet', '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    runDir: string;
    stages: { stage: string; status: string }[];
    summary: { rows: unknown[] };
  };
  assert.equal(out.runDir, runDir);
  assert.deepEqual(
    out.stages.map((s) => `${s.stage}:${s.status}`),
    ['prepare:done', 'pretrain:skipped', 'finetune:skipped', 'evaluate:skipped'],
  );
  assert.ok(out.summary.rows.length > 0);
});

test('evaluate: a label fraction that leaves a class empty, or a malformed one, is a one-line error', async () => {
  const r = await cli('evaluate', '--config', configPath, '--quiet', '--labels', '0.5%');
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.match(
    r.stderr,
    /^ecgssl: evaluate: label fraction 0\.5% keeps 0 of the \d+ labelled training windows .*class would be empty/,
  );
  const bad = await cli('evaluate', '--config', configPath, '--quiet', '--labels', '1%,abc');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^ecgssl: --labels: expected percentages like 1%,5%,10%, got "1%,abc"/);
});

test('ecgssl run with a sweep: block runs every point in its own run directory; --json gives one entry per point', async () => {
  const sweepPath = join(dir, 'tiny-sweep.yaml');
  writeFileSync(sweepPath, `${readFileSync(configPath, 'utf8')}sweep:\n  evaluation.folds: [2, 3]\n`);
  // Half the recordings' length (32 windows) and one fine-tuning epoch keep the two points fast.
  const fast = [
    '--set',
    'data.synthetic.recordingSeconds=4',
    '--set',
    `data.root=${join(dir, 'synthetic-sweep')}`,
    '--set',
    'finetune.epochs=1',
  ];
  const r = await cli('run', '--config', sweepPath, '--quiet', ...fast);
  assert.equal(r.code, 0, r.stderr);
  const headings = [...r.stdout.matchAll(/^sweep point (p\d) \((\d)\/2\): (.*)$/gm)].map((m) =>
    m.slice(1).join(' '),
  );
  assert.deepEqual(headings, ['p0 1 evaluation.folds=2', 'p1 2 evaluation.folds=3']);
  const sections = r.stdout.split(/^sweep point /m).slice(1);
  const dirs = sections.map((s, i) => {
    assert.match(s, /^pretrain\s+done/m);
    assert.match(s, /^evaluate\s+done/m);
    // Each point's own fold count.
    assert.match(
      s,
      new RegExp(`^arousal\\s+ssl\\s+acc \\d\\.\\d{3} \\+- \\d\\.\\d{3} .*\\(n=${i + 2}\\)$`, 'm'),
    );
    return /^run directory (.*)$/m.exec(s)![1]!;
  });
  assert.equal(new Set([...dirs, runDir]).size, 3);
  dirs.forEach((d, i) => {
    assert.ok(existsSync(join(d, 'summary.csv')), d);
    const resolved = readFileSync(join(d, 'config.resolved.yaml'), 'utf8');
    assert.match(resolved, new RegExp(`folds: ${i + 2}\\n`));
    assert.doesNotMatch(resolved, /^sweep:/m);
  });
  const j = await cli('run', '--config', sweepPath, '--quiet', '--json', ...fast);
  assert.equal(j.code, 0, j.stderr);
  const out = JSON.parse(j.stdout) as {
    point: { id: string; assignments: Record<string, unknown> };
    runDir: string;
    stages: { stage: string; status: string; note: string }[];
    summary: { rows: unknown[] };
  }[];
  assert.deepEqual(
    out.map((p) => [p.point.id, p.point.assignments, p.runDir]),
    [
      ['p0', { 'evaluation.folds': 2 }, dirs[0]],
      ['p1', { 'evaluation.folds': 3 }, dirs[1]],
    ],
  );
  for (const p of out) {
    assert.deepEqual(
      p.stages.map((s) => s.status),
      ['done', 'skipped', 'skipped', 'skipped'],
    );
    // The skip notes name the engine that produced the reused outputs (run.json stages.<stage>.engine).
    assert.match(
      p.stages[1]?.note ?? '',
      /^encoders exist, made on \S+ \(\d+ threads?.*\); --force redoes it$/,
    );
    const runJson = JSON.parse(readFileSync(join(p.runDir, 'run.json'), 'utf8')) as {
      stages: Record<string, { engine?: string }>;
    };
    assert.match(runJson.stages.finetune?.engine ?? '', /^(wasm|wasm\+dnnl|cpu|tfjs-node\S*) \(/);
    assert.ok(p.summary.rows.length > 0);
  }
});

test('evaluate 50%,100% after finetune computes no 100% fit again; --force recomputes them, same scores', async () => {
  interface Fold {
    task: string;
    arm: string;
    fold: number;
    labelFraction: string;
    seconds?: number;
  }
  const readFolds = (stage: string): Fold[] =>
    (JSON.parse(readFileSync(join(runDir, stage, 'folds.json'), 'utf8')) as { folds: Fold[] }).folds;
  const units = (): number[] =>
    [0, 1, 2, 3].map((k) => statSync(join(runDir, 'units', `f${k}-100pct.json`)).mtimeMs);
  const before = units();
  const r = await cli('evaluate', '--config', configPath, '--quiet', '--json', '--labels', '50%,100%');
  assert.equal(r.code, 0, r.stderr);
  // 4 folds x 2 tasks x 2 arms per fraction: the 50% fits are new, the 100% ones are finetune's.
  assert.deepEqual((JSON.parse(r.stdout) as { fits: unknown }).fits, { computed: 24, reused: 24 });
  assert.deepEqual(units(), before);
  const finetune = readFolds('finetune');
  const at100 = readFolds('evaluate').filter((f) => f.labelFraction === '100%');
  // The very same fits, timings included.
  assert.deepEqual(at100, finetune);
  const forced = await cli('evaluate', '--config', configPath, '-q', '--json', '--labels', '100%', '--force');
  assert.equal(forced.code, 0, forced.stderr);
  assert.deepEqual((JSON.parse(forced.stdout) as { fits: unknown }).fits, { computed: 24, reused: 0 });
  assert.ok(units().every((t, k) => t > before[k]!));
  const strip = (folds: Fold[]): Fold[] => folds.map(({ seconds: _s, ...rest }) => rest);
  assert.deepEqual(strip(readFolds('evaluate')), strip(finetune));
});
