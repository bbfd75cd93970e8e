import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli } from '../helpers/cli.js';

test('inspect model: the paper network has 329,152 trunk and 561,223 total parameters (METHOD §3)', async () => {
  const j = await cli('inspect', 'model', '--json');
  assert.equal(j.code, 0, j.stderr);
  const r = JSON.parse(j.stdout);
  assert.equal(r.windowSamples, 2560);
  assert.equal(r.trunkParams, 329152);
  assert.equal(r.totalParams, 561223);
  assert.ok(r.layers.some((l: { name: string }) => l.name === 'flat_layer'));
  const h = await cli('inspect', 'model');
  assert.equal(h.code, 0, h.stderr);
  assert.match(h.stdout, /^layer\s+type\s+output shape\s+params$/m);
  assert.match(h.stdout, /total trainable parameters:\s+561,223$/m);
  // --set changes the network that is summarised.
  const s = await cli(
    'inspect',
    'model',
    '--json',
    '--set',
    'data.kind=synthetic',
    '--set',
    'data.root=x',
    '--set',
    'model.headUnits=64',
  );
  assert.equal(s.code, 0, s.stderr);
  assert.ok(JSON.parse(s.stdout).totalParams < 561223);
});
