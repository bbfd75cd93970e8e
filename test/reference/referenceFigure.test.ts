// The reference's figure and results folder: curve rows from a summarized report, the SVG, reference.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  referenceCurveRows,
  saveReferenceResults,
  summarizeReference,
  type HeadMetrics,
} from '../../src/reference/index.js';

const heads = ['noise', 'scale'];
const epoch = (noise: number, scale: number): HeadMetrics => ({
  noise: { accuracy: 0.9, f1: noise },
  scale: { accuracy: 0.8, f1: scale },
});
const run = (seed: number, shift: number) => ({
  seed,
  ecgssl: [epoch(0.5 + shift, 0.1), epoch(0.9 + shift, 0.2)],
  pytorch: [epoch(0.6, 0.1 + shift), epoch(0.95, 0.3)],
  loss: { ecgssl: [1, 0.5], pytorch: [1, 0.4] },
  steps: { ecgssl: 4, exported: 4, pytorch: 4 },
  windows: { train: 9, heldOut: 3 },
  seconds: { ecgssl: 1, pytorch: 2 },
});

test('referenceCurveRows: per implementation, head and epoch the seed mean and sd of F1', () => {
  const rows = referenceCurveRows(summarizeReference(heads, [run(1, 0), run(2, 0.1)]));
  assert.equal(rows.length, 2 * 2 * 2);
  const at = (impl: string, head: string, e: number) =>
    rows.find((r) => r.implementation === impl && r.head === head && r.epoch === e);
  assert.ok(Math.abs((at('ecgssl', 'noise', 2)?.f1 ?? NaN) - 0.95) < 1e-12);
  assert.ok(Math.abs((at('ecgssl', 'noise', 2)?.sd ?? NaN) - Math.SQRT1_2 * 0.1) < 1e-12);
  assert.ok(Math.abs((at('PyTorch', 'scale', 1)?.f1 ?? NaN) - 0.15) < 1e-12);
  assert.equal(at('PyTorch', 'scale', 2)?.sd, 0);
});

test('saveReferenceResults: reference.json and an SVG with both implementations and every head', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecgssl-reference-figure-'));
  try {
    const report = summarizeReference(heads, [run(1, 0), run(2, 0.1)]);
    const saved = await saveReferenceResults(report, join(dir, 'out'));
    assert.deepEqual(JSON.parse(readFileSync(saved.json, 'utf8')), JSON.parse(JSON.stringify(report)));
    const svg = readFileSync(saved.figure.svg, 'utf8');
    assert.match(svg, /^<svg/);
    for (const label of ['ecgssl', 'PyTorch', 'noise', 'scale', 'held-out F1']) assert.ok(svg.includes(label), label);
    assert.ok(readFileSync(saved.figure.png).length > 1000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('summarizeReference: the final F1 gap per head and its standard error from the seed spreads', () => {
  const r = summarizeReference(heads, [run(1, 0), run(2, 0.1)]);
  // noise: ecgssl final F1 0.9 / 1.0 (mean 0.95, sd 0.0707), PyTorch 0.95 / 0.95 (sd 0).
  assert.ok(Math.abs((r.headF1Gap.noise ?? NaN) - 0) < 1e-12);
  assert.ok(Math.abs((r.headF1GapSe.noise ?? NaN) - Math.sqrt(0.005 / 2)) < 1e-12);
  assert.ok(Math.abs((r.headF1Gap.scale ?? NaN) - 0.1) < 1e-12);
  assert.equal(r.headF1GapSe.scale, 0);
  assert.ok(Number.isNaN(summarizeReference(heads, [run(1, 0)]).headF1GapSe.noise));
});
