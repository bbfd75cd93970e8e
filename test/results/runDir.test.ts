import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { resolveConfig } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';
import { openRunDir, toCsv } from '../../src/results/runDir.js';
import { withRunDir } from '../../src/cli/common.js';

function tmpConfig(root: string, extra = '') {
  const text = `experiment: t\ndata: { kind: synthetic, root: data/synthetic }\noutput: { root: ${JSON.stringify(root)} }\n${extra}`;
  return resolveConfig(text, 'test.yaml');
}

test('openRunDir: results/<experiment>/<hash12>/ with config.resolved.yaml and run.json', async () => {
  const root = mkdtempSync(join(tmpdir(), 'ecgssl-run-'));
  try {
    const loaded = tmpConfig(root, 'seed: 9\n');
    const run = await openRunDir(loaded);
    assert.equal(run.id, loaded.hash.slice(0, 12));
    assert.equal(run.dir, join(root, 't', run.id));
    const resolved = parse(readFileSync(run.path('config.resolved.yaml'), 'utf8'));
    assert.deepEqual(configSchema.parse(resolved), loaded.config);
    const meta = JSON.parse(readFileSync(run.path('run.json'), 'utf8'));
    assert.equal(meta.runId, run.id);
    assert.equal(meta.configHash, loaded.hash);
    assert.equal(meta.seed, 9);
    assert.equal(meta.experiment, 't');
    assert.equal(meta.node, process.version);
    assert.equal(meta.versions.node, process.versions.node);
    assert.match(meta.versions.ecgssl, /^\d+\.\d+\.\d+/);
    assert.match(meta.versions['@tensorflow/tfjs'], /^\d+\.\d+\.\d+/);
    assert.ok('git' in meta);
    if (meta.git) assert.match(meta.git.commit, /^[0-9a-f]{40}$/);
    assert.equal(meta.engine.preference, 'auto');
    // Reopening (a later stage) keeps createdAt and the directory.
    const again = await openRunDir(loaded);
    assert.equal(again.dir, run.dir);
    assert.equal(JSON.parse(readFileSync(run.path('run.json'), 'utf8')).createdAt, meta.createdAt);
    // A different config gets a different directory.
    const other = await openRunDir(tmpConfig(root, 'seed: 10\n'));
    assert.notEqual(other.dir, run.dir);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('RunDir writers: nested paths, CSV, exists, no escaping the folder, merged run.json patches', async () => {
  const root = mkdtempSync(join(tmpdir(), 'ecgssl-run-'));
  try {
    const run = await openRunDir(tmpConfig(root));
    await run.writeJson('a/b/metrics.json', { acc: 0.5 });
    await run.writeText('notes.txt', 'hi');
    await run.writeCsv('h.csv', [{ epoch: 1, loss: 0.5 }, { epoch: 2, loss: 0.25, note: 'a,b' }]);
    assert.deepEqual(JSON.parse(readFileSync(run.path('a', 'b', 'metrics.json'), 'utf8')), { acc: 0.5 });
    assert.equal(readFileSync(run.path('h.csv'), 'utf8'), 'epoch,loss,note\n1,0.5,\n2,0.25,"a,b"\n');
    assert.ok(run.exists('notes.txt'));
    assert.ok(!run.exists('missing.txt'));
    assert.throws(() => run.path('..', 'x'), /leaves the run directory/);
    await Promise.all([
      run.updateRunJson({ stages: { a: { status: 'done' } } }),
      run.updateRunJson({ stages: { b: { status: 'done' } } }),
      run.updateRunJson({ extra: [1, 2] }),
    ]);
    const meta = JSON.parse(readFileSync(run.path('run.json'), 'utf8'));
    assert.deepEqual(meta.stages, { a: { status: 'done' }, b: { status: 'done' } });
    assert.deepEqual(meta.extra, [1, 2]);
    assert.ok(readdirSync(run.dir).every((f) => !f.endsWith('.tmp')));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('toCsv: header is the union of keys; objects as JSON', () => {
  assert.equal(toCsv([{ a: 1 }, { b: { x: 1 } }]), 'a,b\n1,\n,"{""x"":1}"\n');
});

test('withRunDir times each stage into run.json, also when it fails', async () => {
  const root = mkdtempSync(join(tmpdir(), 'ecgssl-run-'));
  try {
    const loaded = tmpConfig(root);
    const out = await withRunDir(loaded, 'pretrain', async (run) => {
      await run.writeJson('pretrain/metrics.json', {});
      return run.dir;
    });
    await assert.rejects(
      withRunDir(loaded, 'finetune', async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    const meta = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    assert.equal(meta.stages.pretrain.status, 'done');
    assert.equal(typeof meta.stages.pretrain.seconds, 'number');
    assert.ok(meta.stages.pretrain.seconds >= 0);
    assert.ok(Date.parse(meta.stages.pretrain.finishedAt) >= Date.parse(meta.stages.pretrain.startedAt));
    assert.equal(meta.stages.finetune.status, 'failed');
    assert.equal(meta.stages.finetune.error, 'boom');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('withRunDir: one process per stage and run directory; a second one stops with the holder, a dead holder is taken over', async () => {
  const root = mkdtempSync(join(tmpdir(), 'ecgssl-run-'));
  try {
    const loaded = tmpConfig(root);
    const run = await openRunDir(loaded);
    const lockFile = join(run.dir, 'locks', 'pretrain.lock');
    let ran = 0;
    // While the stage runs, its lock is held: the same stage again (here nested, as a second command would) stops.
    await withRunDir(loaded, 'pretrain', async () => {
      ran++;
      const holder = JSON.parse(readFileSync(lockFile, 'utf8'));
      assert.equal(holder.pid, process.pid);
      await assert.rejects(
        withRunDir(loaded, 'pretrain', async () => ran++),
        (e: Error) =>
          e.name === 'UserError' &&
          e.message.startsWith(`pretrain: run directory ${run.dir} is in use by pid ${process.pid} on `) &&
          e.message.includes('wait for it to end or stop it'),
      );
      // Another stage of the same run directory is not blocked.
      await withRunDir(loaded, 'finetune', async () => ran++);
    });
    assert.equal(ran, 2);
    assert.deepEqual(readdirSync(join(run.dir, 'locks')), []); // released
    // A lock left by a process that no longer runs (killed with SIGKILL) does not block the next run.
    const dead = { pid: 2 ** 22 + 12345, host: hostname(), createdAt: '2026-01-01T00:00:00Z', token: 'x' };
    writeFileSync(lockFile, JSON.stringify(dead));
    await withRunDir(loaded, 'pretrain', async () => ran++);
    assert.equal(ran, 3);
    const meta = JSON.parse(readFileSync(run.path('run.json'), 'utf8'));
    assert.equal(meta.stages.pretrain.status, 'done');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
