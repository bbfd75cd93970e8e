/* global require, __dirname */
// Install script: builds the addon with node-gyp; on failure records why in build-error.txt and exits 0,
// because this package is an optional dependency (the engine falls back to plain wasm and reports the reason).
'use strict';
const { spawnSync } = require('node:child_process');
const { writeFileSync, rmSync, existsSync } = require('node:fs');
const { join, dirname } = require('node:path');

const errFile = join(__dirname, 'build-error.txt');
rmSync(errFile, { force: true });
const gyp = process.env.npm_config_node_gyp;
const cmd = gyp ? process.execPath : 'node-gyp';
const args = gyp ? [gyp, 'rebuild'] : ['rebuild'];
// Offline machines: use the local Node headers (e.g. Debian's /usr/include/node) instead of downloading them.
const prefix = join(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h')))
  args.push(`--nodedir=${prefix}`);
const r = spawnSync(cmd, args, { cwd: __dirname, encoding: 'utf8', shell: !gyp });
process.stdout.write(r.stdout || '');
process.stderr.write(r.stderr || '');
if (r.status !== 0) {
  const out = `${r.error ? String(r.error) : ''}\n${r.stdout || ''}\n${r.stderr || ''}`;
  const hint = /dnnl\.hpp.*No such file|cannot find -ldnnl|library not found for -ldnnl/i.test(out)
    ? 'libdnnl-dev (oneDNN) not found at install time'
    : `node-gyp rebuild failed (exit ${r.status})`;
  const tail = out
    .split('\n')
    .filter((l) => /error/i.test(l))
    .slice(0, 5)
    .join(' | ');
  writeFileSync(errFile, `${hint}${tail ? `: ${tail}` : ''}\n`);
  console.warn(`ecgssl-dnnl: addon not built (${hint}); the oneDNN engine tier is disabled`);
}
process.exit(0);
