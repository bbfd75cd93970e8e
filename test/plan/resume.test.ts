import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Issue 8 part 3: pretraining killed with SIGKILL, or stopped with SIGTERM (which writes a checkpoint and exits 143),
 * and started again with the same command ends with the same encoder, history and metrics as an uninterrupted run
 * (same seed, portable engine).
 */
const child = fileURLToPath(new URL('cliChild.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ecgssl-resume-'));
const configPath = join(dir, 'tiny.yaml');
const EPOCHS = 12;
writeFileSync(
  configPath,
  `experiment: resume
seed: 6
data:
  kind: synthetic
  root: ${join(dir, 'synthetic')}
  tasks: [arousal]
  synthetic: { subjects: 2, recordingsPerSubject: 2, recordingSeconds: 8, samplingRateHz: 64, seed: 3 }
preprocessing: { targetRateHz: 64, windowSamples: 64 }
transformations: { permute: { segments: 8 } }
model: { filters: [4, 8, 8], kernelSizes: [8, 4, 4], headUnits: 8 }
pretrain: { scope: all, epochs: ${EPOCHS}, batchWindows: 16, heldOutFraction: 0.25 }
evaluation: { folds: 2 }
engine: { backend: wasm, threads: 1 }
output: { root: ${join(dir, 'results')}, cacheDir: ${join(dir, 'cache')} }
`,
);
test.after(() => rmSync(dir, { recursive: true, force: true }));

function start(root: string): {
  proc: ChildProcess;
  done: Promise<{ code: number | null; signal: string | null; stderr: string }>;
} {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', child, 'pretrain', '--config', configPath, '--set', `output.root=${root}`],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } },
  );
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { proc, done };
}

/** The pretraining outputs that must not depend on interruptions (history without its timings). */
function outputs(root: string): { weights: string; history: string; metrics: unknown } {
  const base = join(root, 'resume');
  const runId = readFileSync(join(dir, 'runid'), 'utf8');
  const unit = join(base, runId, 'pretrain', 'all');
  const history = readFileSync(join(unit, 'history.csv'), 'utf8')
    .trim()
    .split('\n')
    .map((line, i, lines) => {
      const seconds = lines[0]!.split(',').indexOf('seconds');
      return line
        .split(',')
        .filter((_, k) => k !== seconds)
        .join(',');
    })
    .join('\n');
  const metrics = JSON.parse(readFileSync(join(unit, 'metrics.json'), 'utf8')) as Record<string, unknown>;
  return {
    weights: readFileSync(join(unit, 'encoder', 'weights.bin')).toString('base64'),
    history,
    metrics: { ...metrics },
  };
}

/** Waits until the unit's checkpoint records at least `epoch` epochs. */
async function checkpointAt(root: string, epoch: number, running: Promise<unknown>): Promise<void> {
  let exited = false;
  void running.then(() => (exited = true));
  const state = () => {
    const runId = existsSync(join(dir, 'runid')) ? readFileSync(join(dir, 'runid'), 'utf8') : '';
    return join(root, 'resume', runId, 'pretrain', 'all', 'checkpoint', 'state.json');
  };
  for (;;) {
    assert.equal(exited, false, 'the run finished before it could be interrupted');
    try {
      const s = JSON.parse(readFileSync(state(), 'utf8')) as { epoch: number };
      if (s.epoch >= epoch) return;
    } catch {
      // not written yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

let reference: ReturnType<typeof outputs>;

test('uninterrupted reference run', async () => {
  const root = join(dir, 'ref');
  const r = await start(root).done;
  assert.equal(r.code, 0, r.stderr);
  writeFileSync(
    join(dir, 'runid'),
    readdirSync(join(root, 'resume')).find((n) => /^[0-9a-f]{12}$/.test(n))!,
  );
  reference = outputs(root);
  assert.match(reference.history, new RegExp(`\\n${EPOCHS},`));
});

test('SIGKILL during pretraining, then the same command: same encoder, history and metrics', async () => {
  const root = join(dir, 'killed');
  const first = start(root);
  await checkpointAt(root, 2, first.done);
  first.proc.kill('SIGKILL');
  const killed = await first.done;
  assert.equal(killed.signal, 'SIGKILL');
  const again = await start(root).done;
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /resuming from .* after epoch ([2-9]|1[01])\b/);
  assert.deepEqual(outputs(root), reference);
});

test('SIGTERM stops after writing a checkpoint (exit 143); the same command resumes to the same results', async () => {
  const root = join(dir, 'term');
  const first = start(root);
  await checkpointAt(root, 1, first.done);
  first.proc.kill('SIGTERM');
  const stopped = await first.done;
  assert.equal(stopped.code, 143, stopped.stderr);
  // After the batch it is in: mid-epoch (a checkpoint of the epoch so far) or, in its last batch, after the epoch.
  const m =
    /pretrain all: stopped by SIGTERM (?:after epoch (\d+)\/12|in epoch (\d+)\/12 after batch (\d+)\/(\d+)); checkpoint in (\S+) \(run the same command again to resume\)/.exec(
      stopped.stderr,
    );
  assert.ok(m, stopped.stderr);
  const state = JSON.parse(readFileSync(join(m[5]!, 'state.json'), 'utf8')) as {
    epoch: number;
    partial?: { batch: number };
  };
  if (m[1] !== undefined) {
    assert.equal(state.epoch, Number(m[1]));
    assert.equal(state.partial, undefined);
  } else {
    assert.equal(state.epoch, Number(m[2]) - 1);
    assert.equal(state.partial?.batch, Number(m[3]));
    assert.ok(Number(m[3]) < Number(m[4]));
  }
  const again = await start(root).done;
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, new RegExp(`resuming from .* after epoch ${state.epoch}`));
  assert.deepEqual(outputs(root), reference);
});
