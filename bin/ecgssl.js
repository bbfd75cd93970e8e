#!/usr/bin/env node
// The ecgssl command line. The CLI lives in src/cli (compiled to dist/ by `npm run build`).
import { existsSync } from 'node:fs';
import { setTimeout } from 'node:timers';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('ecgssl: not built yet: run `npm run build` first\n');
  process.exit(1);
}
const { main } = await import(entry.href);
main(process.argv).then(
  (code) => {
    process.exitCode = code;
    // Safety net: if a stray handle (a worker, a timer) keeps the event loop alive after the command has
    // finished, exit anyway. The timer is unref'd, so it never delays a normal exit.
    setTimeout(() => process.exit(code), 3000).unref();
  },
  (err) => {
    process.stderr.write(`ecgssl: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 2;
  },
);
