import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireLock, isLockStale, pidAlive } from '../../src/results/fileLock.js';

const dir = mkdtempSync(join(tmpdir(), 'ecgssl-lock-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

test('three processes incrementing a counter under the lock lose no update', async () => {
  const lockPath = join(dir, 'counter.lock');
  const counter = join(dir, 'counter.txt');
  writeFileSync(counter, '0');
  const rounds = 15;
  const workers = [0, 1, 2].map(
    () =>
      new Promise<number>((resolve, reject) => {
        const p = spawn(
          process.execPath,
          [
            '--import',
            'tsx',
            fileURLToPath(new URL('lockWorker.ts', import.meta.url)),
            lockPath,
            counter,
            String(rounds),
          ],
          {
            stdio: ['ignore', 'ignore', 'inherit'],
          },
        );
        p.on('error', reject);
        p.on('exit', (code) => resolve(code ?? -1));
      }),
  );
  assert.deepEqual(await Promise.all(workers), [0, 0, 0]);
  assert.equal(Number(readFileSync(counter, 'utf8')), 3 * rounds);
  assert.equal(existsSync(lockPath), false, 'the lock file is removed on release');
});

test('a lock held by a live process blocks; release lets the next one in', async () => {
  const path = join(dir, 'held.lock');
  const first = await acquireLock(path);
  const info = JSON.parse(readFileSync(path, 'utf8')) as { pid: number; host: string; token: string };
  assert.equal(info.pid, process.pid);
  assert.equal(info.host, hostname());
  let waited = 0;
  await assert.rejects(
    acquireLock(path, { timeoutMs: 150, pollMs: 20, onWait: () => waited++ }),
    /acquireLock: .*held\.lock is still held after 150 ms \(holder: pid \d+ on /,
  );
  assert.equal(waited, 1);
  await first.release();
  const second = await acquireLock(path, { timeoutMs: 1000 });
  await second.release();
});

test('a lock whose holder process is dead (same host) is taken over at once', async () => {
  const path = join(dir, 'dead.lock');
  const pid = deadPid();
  assert.equal(pidAlive(pid), false);
  writeFileSync(
    path,
    JSON.stringify({ pid, host: hostname(), createdAt: new Date().toISOString(), token: 'old' }),
  );
  const lock = await acquireLock(path, { timeoutMs: 2000 });
  assert.equal((JSON.parse(readFileSync(path, 'utf8')) as { token: string }).token, lock.info.token);
  await lock.release();
  assert.equal(existsSync(path), false);
});

test('another host: stale only when the file is older than staleMs; release never removes a foreign lock', async () => {
  const path = join(dir, 'remote.lock');
  const remote = { pid: 1, host: 'some-other-node', createdAt: new Date().toISOString(), token: 'remote' };
  writeFileSync(path, JSON.stringify(remote));
  await assert.rejects(acquireLock(path, { timeoutMs: 100, pollMs: 20, staleMs: 60_000 }), /still held/);
  const old = new Date(Date.now() - 120_000);
  utimesSync(path, old, old);
  const lock = await acquireLock(path, { timeoutMs: 2000, staleMs: 60_000 });
  // Someone else replaced the lock meanwhile (e.g. a breaker): our release must leave theirs alone.
  writeFileSync(path, JSON.stringify({ ...remote, token: 'newer' }));
  await lock.release();
  assert.equal(existsSync(path), true);
  rmSync(path);
  assert.equal(isLockStale(undefined, Date.now() - 5000, Date.now(), 1000), true);
  assert.equal(isLockStale(undefined, Date.now(), Date.now(), 1000), false);
  assert.equal(isLockStale({ ...remote, host: hostname(), pid: process.pid }, 0, Date.now(), 1), false);
});
