#!/usr/bin/env node
// `npm run bench [-- --json] [--only name[,name]] [--quick]`: runs every benchmark module in dist/bench/
// (each exports `run({ json, quick })` returning a JSON-able object), each in its own process so that peak
// RSS belongs to that benchmark alone. Human-readable lines go to stderr; with --json one merged JSON
// object goes to stdout.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const onlyIdx = args.indexOf('--only');
const only = onlyIdx >= 0 ? (args[onlyIdx + 1] ?? '').split(',').filter(Boolean) : [];

if (args[0] === '--child') {
  const mod = await import(pathToFileURL(join(root, 'dist/bench', `${args[1]}.js`)).href);
  const result = await mod.run({ json, quick });
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
}

const names = readdirSync(join(root, 'dist/bench'))
  .filter((f) => f.endsWith('.js') && f !== 'index.js' && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .filter((n) => only.length === 0 || only.includes(n))
  .sort();
if (names.length === 0) {
  console.error(`bench: no benchmark matches ${only.join(',')}`);
  process.exit(1);
}
const merged = {};
let failed = false;
for (const name of names) {
  console.error(`bench: ${name}`);
  const r = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), '--child', name, ...(json ? ['--json'] : []), ...(quick ? ['--quick'] : [])],
    { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  if (r.status !== 0) {
    console.error(`bench: ${name} failed (exit ${r.status})`);
    failed = true;
    continue;
  }
  const lines = r.stdout.trim().split('\n');
  Object.assign(merged, JSON.parse(lines[lines.length - 1]));
}
if (json) process.stdout.write(JSON.stringify(merged, null, 2) + '\n');
process.exit(failed ? 1 : 0);
