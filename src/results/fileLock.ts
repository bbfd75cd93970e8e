// O_EXCL lock files with stale-lock detection (pid/host/age), so concurrent tasks never run one unit twice.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { UserError } from '../errors.js';

/** What a lock file holds: who holds it. */
export interface LockInfo {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  createdAt: string;
  /** Random token: a holder only removes the lock file that still carries its own token. */
  token: string;
}

/** A held lock; {@link FileLock.release} removes the lock file (only if it is still ours). */
export interface FileLock {
  path: string;
  info: LockInfo;
  release(): Promise<void>;
}

/** Options of {@link acquireLock}. */
export interface AcquireLockOptions {
  /**
   * A lock whose holder is on another host (or whose file cannot be read) counts as stale when its file has not been
   * touched for this long; holders touch it every `heartbeatMs`. Default: ECGSSL_LOCK_STALE_S seconds, else 600 s.
   */
  staleMs?: number;
  /** Holder heartbeat interval (default 15 s). */
  heartbeatMs?: number;
  /** Poll interval while waiting (default 200 ms). */
  pollMs?: number;
  /** Give up after this long with a UserError (default: wait as long as the holder is alive). */
  timeoutMs?: number;
  /**
   * Called once when the lock is busy, with the holder (undefined when its file is not readable yet); an error it
   * throws ends the wait (the caller that will not wait, e.g. a second command on the same run directory).
   */
  onWait?: (holder: LockInfo | undefined) => void;
}

const BREAK_STALE_MS = 30_000;

function defaultStaleMs(): number {
  const s = Number(process.env.ECGSSL_LOCK_STALE_S);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 600_000;
}

function parseInfo(text: string): LockInfo | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.token === 'string')
      return v as LockInfo;
  } catch {
    // A lock file being written (created but not yet filled) or damaged: judged by its age.
  }
  return undefined;
}

/** Whether a process with this pid runs on this host (EPERM: it exists but belongs to another user). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether a lock is stale: on this host, when its holder process is gone; on another host (or unreadable), when
 * the file has not been touched for `staleMs`.
 */
export function isLockStale(
  info: LockInfo | undefined,
  mtimeMs: number,
  nowMs: number,
  staleMs: number,
  host = hostname(),
): boolean {
  if (info && info.host === host) return !pidAlive(info.pid);
  return nowMs - mtimeMs > staleMs;
}

async function readLock(
  path: string,
): Promise<{ text: string; info?: LockInfo; mtimeMs: number } | undefined> {
  try {
    const [text, st] = await Promise.all([fsp.readFile(path, 'utf8'), fsp.stat(path)]);
    return { text, info: parseInfo(text), mtimeMs: st.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function tryCreate(path: string, info: LockInfo): Promise<boolean> {
  let handle: fsp.FileHandle;
  try {
    // O_CREAT | O_EXCL: exactly one creator wins, on local and NFSv3+ file systems.
    handle = await fsp.open(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    await handle.writeFile(JSON.stringify(info) + '\n');
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

/**
 * Removes a stale lock file, serialised through `<path>.break` (also O_EXCL) so that two processes never both
 * judge the same lock stale and one of them removes the fresh lock the other has just taken.
 */
async function breakStale(path: string, seen: string, staleMs: number): Promise<void> {
  const breakPath = `${path}.break`;
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(breakPath, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // A breaker died between taking and removing the break file: clear it after a while.
    const st = await fsp.stat(breakPath).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > BREAK_STALE_MS) await fsp.rm(breakPath, { force: true });
    return;
  }
  try {
    await handle.close();
    const now = await readLock(path);
    if (now && now.text === seen && isLockStale(now.info, now.mtimeMs, Date.now(), staleMs))
      await fsp.rm(path, { force: true });
  } finally {
    await fsp.rm(breakPath, { force: true });
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Takes the lock file `path` (created with O_EXCL, holding pid, host, time and a token), waiting while another live
 * holder has it. A stale lock (holder process gone on this host; on another host, file untouched for `staleMs`) is
 * removed and taken over. The holder touches the file every `heartbeatMs`. The folder is created if needed.
 */
export async function acquireLock(path: string, opts: AcquireLockOptions = {}): Promise<FileLock> {
  const staleMs = opts.staleMs ?? defaultStaleMs();
  const pollMs = opts.pollMs ?? 200;
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const started = Date.now();
  await fsp.mkdir(dirname(path), { recursive: true });
  const info: LockInfo = {
    pid: process.pid,
    host: hostname(),
    createdAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  let told = false;
  for (;;) {
    if (await tryCreate(path, info)) break;
    const held = await readLock(path);
    if (held) {
      if (isLockStale(held.info, held.mtimeMs, Date.now(), staleMs)) {
        await breakStale(path, held.text, staleMs);
        continue;
      }
      if (!told) {
        opts.onWait?.(held.info);
        told = true;
      }
    }
    if (opts.timeoutMs !== undefined && Date.now() - started > opts.timeoutMs) {
      const who = held?.info
        ? `pid ${held.info.pid} on ${held.info.host} since ${held.info.createdAt}`
        : 'unknown';
      throw new UserError(`acquireLock: ${path} is still held after ${opts.timeoutMs} ms (holder: ${who})`);
    }
    await sleep(pollMs);
  }
  const timer = setInterval(() => {
    const t = new Date();
    fsp.utimes(path, t, t).catch(() => undefined);
  }, heartbeatMs);
  timer.unref();
  let released = false;
  return {
    path,
    info,
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      const now = await readLock(path);
      if (now?.info?.token === info.token) await fsp.rm(path, { force: true });
    },
  };
}

/** Runs `fn` holding the lock `path` (see {@link acquireLock}); the lock is released however `fn` ends. */
export async function withLock<T>(
  path: string,
  fn: () => Promise<T>,
  opts: AcquireLockOptions = {},
): Promise<T> {
  const lock = await acquireLock(path, opts);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
