// The oneDNN tier missing: the install script prints one line, the engine line and doctor one sentence with the remedy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dnnlUnavailable } from '../../src/engine/dnnlRemedy.js';

const addonDir = fileURLToPath(new URL('../../native/dnnl/', import.meta.url));
const cliChild = fileURLToPath(new URL('../plan/cliChild.ts', import.meta.url));
const { failureReason } = createRequire(import.meta.url)(join(addonDir, 'build.cjs')) as {
  failureReason: (out: string, status: number) => string;
};

/** One sentence: a single line, no sentence break inside, the remedy and a measured gain. */
function assertRemedySentence(s: string): void {
  assert.ok(!s.includes('\n'), s);
  assert.doesNotMatch(s, /[.!?]\s+[A-Z]/, `one sentence: ${s}`);
  assert.doesNotMatch(s, /gyp (info|ERR)|make: |\| /, `no build log: ${s}`);
  assert.match(s, /sudo apt-get install libdnnl-dev/);
  assert.match(s, /npm rebuild ecgssl-dnnl/);
  assert.match(s, /about \d+(\.\d)?x the speed \(\dm\d\ds instead of \dm\d\ds for the quickstart/);
}

test('build.cjs classifies a missing libdnnl-dev from the compiler output', () => {
  const gcc =
    '../src/addon.cc:4:10: fatal error: dnnl.hpp: No such file or directory\n    4 | #include "dnnl.hpp"\ncompilation terminated.\nmake: *** [ecgssl_dnnl.target.mk:120: Release/obj.target/ecgssl_dnnl/src/addon.o] Error 1\ngyp ERR! build error';
  assert.equal(failureReason(gcc, 1), 'libdnnl-dev (oneDNN) not found at install time');
  assert.equal(
    failureReason('/usr/bin/ld: cannot find -ldnnl', 1),
    'libdnnl-dev (oneDNN) not found at install time',
  );
  assert.match(failureReason('gyp ERR! something else', 7), /exit 7, log in native\/dnnl\/build\.log/);
});

test('dnnlUnavailable: one sentence from a new, an old-style or a multi-line load error', () => {
  const old =
    'libdnnl-dev (oneDNN) not found at install time: ../src/addon.cc:4:10: fatal error: dnnl.hpp: No such file | gyp ERR! build error | gyp ERR! stack Error: `make` failed';
  for (const e of [
    'libdnnl-dev (oneDNN) not found at install time',
    old,
    'libdnnl.so.2: cannot open\nat Module._load',
  ]) {
    const s = dnnlUnavailable(e);
    assertRemedySentence(s);
    assert.ok(s.startsWith(`addon not available (${e.split(/: \.\.|\n/)[0]})`), s);
  }
});

test('without the addon: build.cjs prints one line, the engine line and doctor give the remedy sentence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecgssl-nodnnl-'));
  try {
    for (const f of ['build.cjs', 'index.cjs', 'package.json']) copyFileSync(join(addonDir, f), join(dir, f));
    // node-gyp not on PATH (and npm's copy not named): the build fails the way an incomplete machine does.
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: '/nonexistent', npm_config_node_gyp: '' };
    const b = spawnSync(process.execPath, [join(dir, 'build.cjs')], { cwd: dir, env, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    assert.equal(b.stdout, '');
    const lines = b.stderr.trim().split('\n');
    assert.equal(lines.length, 1, b.stderr);
    assert.match(
      lines[0]!,
      /^ecgssl-dnnl: oneDNN addon not built \(node-gyp not found at install time\);.*npm rebuild ecgssl-dnnl/,
    );
    assert.equal(readFileSync(join(dir, 'build-error.txt'), 'utf8'), 'node-gyp not found at install time\n');
    const d = spawnSync(
      process.execPath,
      ['--import', 'tsx', cliChild, 'doctor', '--no-benchmark', '--backend', 'wasm', '--threads', '1'],
      { env: { ...process.env, ECGSSL_DNNL_DIR: dir, TF_CPP_MIN_LOG_LEVEL: '2' }, encoding: 'utf8' },
    );
    assert.equal(d.status, 0, d.stderr);
    const engineLine = d.stderr.split('\n').find((l) => l.startsWith('engine: '));
    assert.ok(engineLine, d.stderr);
    assert.match(
      engineLine,
      /^engine: wasm \(1 thread.*oneDNN: addon not available \(node-gyp not found at install time\); /,
    );
    assertRemedySentence(engineLine);
    const doctorLine = d.stdout.split('\n').find((l) => l.trim().startsWith('oneDNN: '));
    assert.ok(doctorLine, d.stdout);
    assertRemedySentence(doctorLine);
    assert.ok(engineLine.includes(doctorLine.trim()), 'doctor says the same');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
