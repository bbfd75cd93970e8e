// Child process of fileLock.test.ts: increments a counter file `rounds` times, each read-modify-write under the lock.
import { readFileSync, writeFileSync } from 'node:fs';
import { withLock } from '../../src/results/fileLock.js';

const [lockPath, counterPath, roundsText] = process.argv.slice(2);
const rounds = Number(roundsText);
for (let i = 0; i < rounds; i++) {
  await withLock(
    lockPath!,
    async () => {
      const n = Number(readFileSync(counterPath!, 'utf8'));
      // Widen the race window: without the lock, concurrent workers would lose increments here.
      await new Promise((r) => setTimeout(r, 2));
      writeFileSync(counterPath!, String(n + 1));
    },
    { pollMs: 5 },
  );
}
