import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveVegaLite } from '../../src/plots/index.js';

test('saveVegaLite writes an SVG with bars and text, a real PNG and the spec', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecgssl-plot-'));
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'per-fold accuracy',
    data: {
      values: [
        { fold: 1, acc: 0.8 },
        { fold: 2, acc: 0.9 },
        { fold: 3, acc: 0.7 },
      ],
    },
    mark: 'bar',
    encoding: { x: { field: 'fold', type: 'ordinal' }, y: { field: 'acc', type: 'quantitative' } },
  };
  const out = await saveVegaLite(spec, join(dir, 'figs', 'acc'));
  const svg = readFileSync(out.svg, 'utf8');
  assert.match(svg, /^<svg/);
  assert.equal((svg.match(/class="mark-rect role-mark/g) ?? []).length, 1);
  assert.equal((svg.match(/<path aria-label="fold: /g) ?? []).length, 3);
  assert.match(svg, /per-fold accuracy/);
  const png = readFileSync(out.png);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(statSync(out.png).size > 2000, `png too small: ${statSync(out.png).size}`);
  assert.deepEqual(JSON.parse(readFileSync(out.spec, 'utf8')), spec);
});
