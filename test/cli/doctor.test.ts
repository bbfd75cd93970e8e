import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../src/cli/main.js';
import { getBackendReport } from '../../src/engine/index.js';

test('ecgssl doctor --backend cpu --no-benchmark --json reports the engine and versions', async () => {
  let stdout = '';
  let stderr = '';
  const code = await main(
    ['node', 'ecgssl', 'doctor', '--backend', 'cpu', '--no-benchmark', '--json', '--quiet'],
    {
      out: (t) => (stdout += t),
      err: (t) => (stderr += t),
    },
  );
  assert.equal(code, 0, stderr);
  const r = JSON.parse(stdout);
  assert.equal(r.backend.backend, 'cpu');
  assert.equal(r.backend.threads, 1);
  assert.equal(r.backend.precision, 'fp32'); // engine.precision's default
  assert.equal(r.benchmark, null);
  assert.equal(r.versions.node, process.versions.node);
  assert.match(r.versions['@tensorflow/tfjs'], /^4\./);
  assert.ok(r.cpus >= 1);
  // main() shut the engine down at the end (the command had loaded it).
  assert.equal(getBackendReport(), null);
});
