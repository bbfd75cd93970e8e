// The quickstart against its estimate: plan --estimate within 1.5x of the measured run; a batch log line every 30 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const child = fileURLToPath(new URL('cliChild.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ecgssl-qs-estimate-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const sets = ['data.root', 'output.root', 'output.cacheDir'].flatMap((k, i) => [
  '--set',
  `${k}=${join(dir, ['synthetic', 'results', 'cache'][i]!)}`,
]);

/** Runs the CLI in a child with stderr piped (not a terminal); each stderr line with the ms it arrived at. */
function cliChild(
  ...args: string[]
): Promise<{ code: number | null; stdout: string; lines: { ms: number; text: string }[] }> {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', child, ...args, '--config', 'configs/quickstart.yaml', ...sets],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', ECGSSL_PROGRESS_INTERVAL_S: '' },
    },
  );
  let stdout = '';
  let partial = '';
  const lines: { ms: number; text: string }[] = [];
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop()!;
    for (const text of parts) lines.push({ ms: Date.now(), text });
  });
  return new Promise((resolve) => proc.on('close', (code) => resolve({ code, stdout, lines })));
}

interface Estimate {
  stages: { stage: string; seconds: number }[];
}
const STAGES = ['pretrain', 'finetune', 'evaluate'];
const training = (e: Estimate): number =>
  e.stages.filter((s) => STAGES.includes(s.stage)).reduce((a, s) => a + s.seconds, 0);

test('quickstart: plan --estimate within 1.5x of the run, measured back to back; progress lines at least every 30 s', async () => {
  // The machine may be shared: the speed is measured right before and right after the run, and their mean taken.
  const before = await cliChild('plan', '--estimate', '--remeasure', '--json');
  assert.equal(before.code, 0, before.lines.map((l) => l.text).join('\n'));
  const run = await cliChild('run');
  const err = run.lines.map((l) => l.text).join('\n');
  assert.equal(run.code, 0, err);
  const after = await cliChild('plan', '--estimate', '--remeasure', '--json');
  assert.equal(after.code, 0);
  const estimate =
    (training(JSON.parse(before.stdout) as Estimate) + training(JSON.parse(after.stdout) as Estimate)) / 2;
  const expDir = join(dir, 'results', 'quickstart');
  const runJson = JSON.parse(readFileSync(join(expDir, readdirSync(expDir)[0]!, 'run.json'), 'utf8')) as {
    stages: Record<string, { seconds: number }>;
  };
  const measured = STAGES.reduce((a, s) => a + runJson.stages[s]!.seconds, 0);
  const ratio = estimate / measured;
  const detail = `estimate ${estimate.toFixed(1)} s (before ${before.stdout.length > 0 ? training(JSON.parse(before.stdout) as Estimate).toFixed(1) : '?'}, after ${training(JSON.parse(after.stdout) as Estimate).toFixed(1)}), measured ${measured.toFixed(1)} s (${STAGES.map((s) => `${s} ${runJson.stages[s]!.seconds}`).join(', ')})`;
  console.error(`estimateQuickstart: ${detail}, ratio ${ratio.toFixed(2)}`);
  assert.ok(ratio >= 1 / 1.5 && ratio <= 1.5, detail);
  // The run printed its estimate line (cached speed) after prepare, before pretraining.
  const at = (re: RegExp): number => run.lines.findIndex((l) => re.test(l.text));
  assert.ok(at(/^estimate: pretrain ~\S+, finetune ~\S+, evaluate ~\S+; total ~\S+ on wasm/) >= 0, err);
  assert.ok(at(/^estimate: /) < at(/^pretrain: running/), err);
  // A batch log shows where the run is: between the start of pretraining and the end, no gap over 30 s plus the
  // time of one training step or fit (the lines come from the training loop, not a timer).
  const from = at(/^pretrain: running/);
  const to = at(/^evaluate: \d+ fits in /);
  assert.ok(from >= 0 && to > from, err);
  let worst = 0;
  for (let i = from + 1; i <= to; i++) worst = Math.max(worst, run.lines[i]!.ms - run.lines[i - 1]!.ms);
  assert.ok(worst <= 40_000, `longest silence ${worst} ms:\n${err}`);
  assert.ok(
    run.lines.some((l) => /^finetune: fold 10\/10 .* elapsed \S+ {2}remaining ~0s$/.test(l.text)),
    err,
  );
});
