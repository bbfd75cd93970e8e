/* global require, module, __dirname */
// Install script: builds the addon with node-gyp; on failure writes the log to build.log, the one-line reason to
// build-error.txt, prints one line, and exits 0 (an optional dependency: the engine falls back to plain wasm).
'use strict';
const { spawnSync } = require('node:child_process');
const { writeFileSync, rmSync, existsSync } = require('node:fs');
const { join, dirname } = require('node:path');

/** The one-line reason of a failed build, from node-gyp's output (the engine line quotes it). */
function failureReason(out, status) {
  if (/dnnl\.hpp.*No such file|cannot find -ldnnl|library not found for -ldnnl/i.test(out))
    return 'libdnnl-dev (oneDNN) not found at install time';
  if (/node-gyp: (command )?not found|ENOENT.*node-gyp/i.test(out)) return 'node-gyp not found at install time';
  if (/(g\+\+|c\+\+|make): (command )?not found|not found: make|No C\+\+ compiler/i.test(out))
    return 'no C++ compiler or make at install time (build-essential)';
  return `node-gyp rebuild failed (exit ${status}, log in native/dnnl/build.log)`;
}

/** Runs node-gyp rebuild in this folder; returns whether it built. */
function build() {
  const errFile = join(__dirname, 'build-error.txt');
  const logFile = join(__dirname, 'build.log');
  rmSync(errFile, { force: true });
  const gyp = process.env.npm_config_node_gyp;
  const cmd = gyp ? process.execPath : 'node-gyp';
  const args = gyp ? [gyp, 'rebuild'] : ['rebuild'];
  // Offline machines: use the local Node headers (e.g. Debian's /usr/include/node) instead of downloading them.
  const prefix = join(dirname(process.execPath), '..');
  if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h')))
    args.push(`--nodedir=${prefix}`);
  const r = spawnSync(cmd, args, { cwd: __dirname, encoding: 'utf8', shell: !gyp });
  const out = `${r.error ? String(r.error) : ''}\n${r.stdout || ''}\n${r.stderr || ''}`;
  // node-gyp's full output stays in a file: npm hides it anyway, and a failure is expected without libdnnl-dev.
  writeFileSync(logFile, out);
  if (r.status === 0) return true;
  const reason = failureReason(out, r.status);
  writeFileSync(errFile, `${reason}\n`);
  console.warn(
    `ecgssl-dnnl: oneDNN addon not built (${reason}); ecgssl uses the portable wasm engine ` +
      '(to build it: sudo apt-get install libdnnl-dev, then npm rebuild ecgssl-dnnl)',
  );
  return false;
}

module.exports = { failureReason };
if (require.main === module) {
  build();
  process.exit(0);
}
