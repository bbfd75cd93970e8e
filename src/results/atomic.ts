// Atomic file writes (temp file + rename) with readable error messages, and a write-fault hook for tests.
import { randomBytes } from 'node:crypto';
import { promises as fsp, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.js';

/**
 * A simulated write failure (tests of full disks and read-only folders, where root ignores permissions and no
 * small filesystem can be mounted): every write through this module to a path containing `pathIncludes`
 * (default: any) stores its first `afterBytes` bytes, then fails with an error of code `code` (`ENOSPC`, `EACCES`,
 * `EROFS`, ...), exactly as the operating system would.
 */
export interface WriteFault {
  code: string;
  afterBytes: number;
  pathIncludes?: string;
}

let fault: WriteFault | undefined;

/** Sets (or with `undefined` clears) the simulated write failure; see {@link WriteFault}. For tests. */
export function injectWriteFault(f: WriteFault | undefined): void {
  fault = f;
}

function faultFor(path: string): WriteFault | undefined {
  return fault && (fault.pathIncludes === undefined || path.includes(fault.pathIncludes)) ? fault : undefined;
}

function errnoError(code: string, path: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(`${code}: simulated write failure, write '${path}'`);
  e.code = code;
  e.path = path;
  return e;
}

/** A one-line reason for a failed write: the errno code in words, e.g. `no space left on device (ENOSPC)`. */
export function describeWriteError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const words: Record<string, string> = {
    ENOSPC: 'no space left on device',
    EDQUOT: 'disk quota exceeded',
    EACCES: 'permission denied (folder not writable)',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOENT: 'folder does not exist',
    ENOTDIR: 'a path component is not a folder',
    EISDIR: 'is a folder',
    EIO: 'input/output error',
  };
  if (e?.code && words[e.code]) return `${words[e.code]} (${e.code})`;
  const msg = err instanceof Error ? err.message : String(err);
  return (msg.split('\n')[0] ?? '').slice(0, 300);
}

/**
 * Writes all of `data` to the open descriptor `fd` (looping over short writes); `path` names the file in errors
 * and for {@link injectWriteFault}. `written` is how many bytes the file already holds (for the fault). Throws the
 * system error; callers turn it into a UserError and remove their partial file.
 */
export function writeAllSync(fd: number, data: Uint8Array, path: string, written = 0): void {
  const f = faultFor(path);
  let off = 0;
  while (off < data.length) {
    let n = data.length - off;
    if (f) {
      const room = f.afterBytes - (written + off);
      if (room <= 0) throw errnoError(f.code, path);
      n = Math.min(n, room);
    }
    off += writeSync(fd, data, off, n);
  }
}

/**
 * Writes `data` to `path` atomically: a temp file in the same folder is written, fsync'ed, then renamed over
 * `path`, so readers see either the old or the new file, never a partial one. The folder must exist. On any
 * failure (folder not writable, disk full) the temp file is removed and a UserError names `path` and the reason.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(tmp, 'w');
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const f = faultFor(path);
    if (f) {
      await handle.write(bytes, 0, Math.min(bytes.length, f.afterBytes));
      if (bytes.length > f.afterBytes) throw errnoError(f.code, path);
    } else await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fsp.rename(tmp, path);
  } catch (err) {
    if (handle) await handle.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw new UserError(`writeFileAtomic: cannot write ${path}: ${describeWriteError(err)}`);
  }
}
