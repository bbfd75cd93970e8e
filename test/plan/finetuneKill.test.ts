// Issue 13: `ecgssl run` killed with SIGKILL during fine-tuning redoes only the unfinished fits, same summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tinyConfigYaml } from '../helpers/cli.js';

const child = fileURLToPath(new URL('cliChild.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ecgssl-ftkill-'));
const configPath = join(dir, 'tiny.yaml');
const FOLDS = 4;
/** Fits of the finetune stage: folds x 2 tasks x 2 arms. */
const FITS = FOLDS * 2 * 2;
writeFileSync(
  configPath,
  tinyConfigYaml(dir, {
    experiment: 'ftkill',
    finetune: '{ epochs: 40, batchSize: 16, units: 16, layers: 1, baselineEpochs: 2, dropout: 0.2 }',
    evaluation: `{ folds: ${FOLDS}, labelFractions: ['50%'] }`,
    engine: '{ backend: wasm, threads: 1 }',
  }),
);
test.after(() => rmSync(dir, { recursive: true, force: true }));

function start(root: string): {
  proc: ChildProcess;
  done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>;
} {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', child, 'run', '--config', configPath, '--set', `output.root=${root}`],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } },
  );
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>(
    (resolve) => proc.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { proc, done };
}

/** The run directory under `root` (one run id). */
function runDirOf(root: string): string {
  const base = join(root, 'ftkill');
  const id = existsSync(base) ? readdirSync(base).find((n) => /^[0-9a-f]{12}$/.test(n)) : undefined;
  return id === undefined ? '' : join(base, id);
}

interface UnitFile {
  complete: boolean;
  folds: { task: string; arm: string; seconds?: number }[];
}

/** The finetune fold units present now: name -> parsed file and mtime. */
function finetuneUnits(runDir: string): Map<string, { unit: UnitFile; mtimeMs: number }> {
  const units = join(runDir, 'units');
  const out = new Map<string, { unit: UnitFile; mtimeMs: number }>();
  if (!existsSync(units)) return out;
  for (const name of readdirSync(units).filter((n) => /^f\d+-100pct\.json$/.test(n))) {
    const p = join(units, name);
    out.set(name, { unit: JSON.parse(readFileSync(p, 'utf8')) as UnitFile, mtimeMs: statSync(p).mtimeMs });
  }
  return out;
}

/** The result files a user sees, without run-dir paths and timings. */
function results(runDir: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of ['summary.json', 'folds.json', 'finetune/folds.json', 'evaluate/summary.json'])
    out[f] = JSON.parse(readFileSync(join(runDir, f), 'utf8'), (k, v: unknown) =>
      k === 'seconds' || k === 'runDir' ? undefined : v,
    );
  return out;
}

let reference: Record<string, unknown>;

test('uninterrupted reference run', async () => {
  const root = join(dir, 'ref');
  const r = await start(root).done;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`^finetune: ${FITS} fits computed, 0 reused`, 'm'));
  reference = results(runDirOf(root));
});

test('SIGKILL during fine-tuning, then the same command: only unfinished fits redone, same summary', async () => {
  const root = join(dir, 'killed');
  const first = start(root);
  let exited = false;
  void first.done.then(() => (exited = true));
  // Kill once the first fold unit is complete (some fits persisted, most of the stage left).
  for (;;) {
    assert.equal(exited, false, 'the run finished before it could be killed');
    const units = finetuneUnits(runDirOf(root));
    if ([...units.values()].some((u) => u.unit.complete)) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  first.proc.kill('SIGKILL');
  assert.equal((await first.done).signal, 'SIGKILL');
  const runDir = runDirOf(root);
  const atKill = finetuneUnits(runDir);
  const persisted = [...atKill.values()].reduce((a, u) => a + u.unit.folds.length, 0);
  assert.ok(persisted >= 4 && persisted < FITS, `${persisted} fits persisted at the kill`);
  assert.equal(existsSync(join(runDir, 'finetune', 'summary.json')), false);

  const again = await start(root).done;
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^pretrain\s+skipped/m);
  assert.match(
    again.stdout,
    new RegExp(
      `^finetune\\s+done in .*\\(finetune/summary\\.json, ${persisted} of ${FITS} fits reused\\)$`,
      'm',
    ),
  );
  // Only the fits that had not ended ran again.
  assert.match(
    again.stderr,
    new RegExp(`^finetune: ${FITS - persisted} fits computed, ${persisted} reused`, 'm'),
  );
  const after = finetuneUnits(runDir);
  for (const [name, before] of atKill) {
    const now = after.get(name)!;
    // Persisted fits are kept as they were (their timings included); complete units are not rewritten.
    for (const f of before.unit.folds)
      assert.deepEqual(
        now.unit.folds.find((g) => g.task === f.task && g.arm === f.arm),
        f,
      );
    if (before.unit.complete) assert.equal(now.mtimeMs, before.mtimeMs, name);
  }
  assert.equal(after.size, FOLDS);
  assert.deepEqual(results(runDir), reference);
});
