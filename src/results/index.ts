// Public API of the run results: run directories, CSV, atomic writes, provenance.
export { openRunDir, deepMerge, toCsv, RUN_JSON, RESOLVED_CONFIG } from './runDir.js';
export type { RunDir } from './runDir.js';
export { writeFileAtomic } from './atomic.js';
export { softwareVersions, gitState, packageRoot, installedVersion } from './provenance.js';
export { acquireLock, withLock, isLockStale, pidAlive } from './fileLock.js';
export type { FileLock, LockInfo, AcquireLockOptions } from './fileLock.js';
