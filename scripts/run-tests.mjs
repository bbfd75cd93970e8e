#!/usr/bin/env node
// Runs every test file under test/ with node:test through tsx. Node 20's runner does not expand globs,
// so the files are listed here explicitly (and counted), never silently skipped.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}
const only = process.argv.slice(2);
const files = only.length > 0 ? only : walk('test');
if (files.length === 0) {
  console.error('run-tests: no test files found under test/');
  process.exit(1);
}
console.error(`run-tests: ${files.length} test files`);
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } },
);
process.exit(r.status ?? 1);
