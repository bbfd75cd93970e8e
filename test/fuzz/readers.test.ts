// Fuzzes every reader (npy, csv, edf, wfdb, labels.csv, generic folders, YAML config) with truncated,
// bit-flipped, overwritten and oversized inputs: every case must parse or end in a one-line UserError naming
// the file, never another exception, a hang or an unbounded allocation. `npm run fuzz` runs 20 000 per reader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFuzz } from '../../src/fuzz/runFuzz.js';
import { fuzzTargets } from '../../src/fuzz/targets.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caseInput, runCase } from '../../src/fuzz/runCase.js';
import { fuzzTargets as brokenTargets } from './brokenTargets.js';
import type { FuzzTargetReport } from '../../src/fuzz/types.js';

/** Cases per reader here (CI); the config loader and the folder reader (four files a case) are the slowest. */
const CASES: Record<string, number> = { config: 1200, generic: 1500 };
const DEFAULT_CASES = 2000;

function describe(r: FuzzTargetReport): string {
  return r.failures
    .slice(0, 10)
    .map((f) => `case ${f.caseIndex} ${f.reason}: ${f.message.slice(0, 200)} [${f.mutations.join(' ')}]`)
    .join('\n');
}

test('the fuzz table covers every reader in src/datasets (MAT v5 and Poly5 included) and the config loader', () => {
  const names = fuzzTargets().map((t) => t.name);
  for (const n of ['npy', 'csv', 'edf', 'wfdb', 'labels', 'generic', 'config'])
    assert.ok(names.includes(n), n);
});

test('cases are deterministic in (seed, reader, case) and the seeds come first, unmutated', async () => {
  for (const t of fuzzTargets()) {
    const corpus = await t.corpus();
    const a = caseInput(t, corpus, 7, 123);
    const b = caseInput(t, corpus, 7, 123);
    assert.deepEqual(a, b);
    assert.ok(a.mutations.length >= 1 && a.mutations.length <= 3);
    assert.notDeepEqual(caseInput(t, corpus, 8, 123).mutations, a.mutations);
    assert.deepEqual(caseInput(t, corpus, 7, 0).mutations, []);
  }
});

for (const t of fuzzTargets()) {
  test(`fuzz ${t.name}: every case parses or ends in a one-line UserError naming the file`, async () => {
    const cases = CASES[t.name] ?? DEFAULT_CASES;
    const [r] = await runFuzz({ seed: 20240601, cases, targets: [t.name], caseTimeoutMs: 15_000 });
    assert.ok(r);
    assert.equal(r.failures.length, 0, `${r.failures.length} failure(s):\n${describe(r)}`);
    assert.equal(r.ok + r.userErrors, cases);
    // Both outcomes occur: mutations get past the first checks, and they are not all harmless.
    assert.ok(r.ok >= cases / 50, `only ${r.ok} of ${cases} cases parsed`);
    assert.ok(r.userErrors >= cases / 5, `only ${r.userErrors} of ${cases} cases were rejected`);
  });
}

test('a case is a failure for an exception, a multi-line or raw-byte message, one naming no file, a bad result', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecgssl-fuzz-test-'));
  try {
    for (const [name, reason] of [
      ['strict', undefined],
      ['type-error', 'exception'],
      ['no-path', 'no-path'],
      ['multi-line', 'multi-line'],
      ['control-char', 'control-char'],
      ['bad-result', 'bad-result'],
    ] as const) {
      const target = brokenTargets().find((t) => t.name === name);
      assert.ok(target);
      const corpus = await target.corpus();
      const seedCase = await runCase({ target, corpus, seed: 1, caseIndex: 0, caseDir: join(dir, name) });
      assert.equal(seedCase.kind, 'ok', name);
      const r = await runCase({ target, corpus, seed: 1, caseIndex: 5, caseDir: join(dir, name) });
      assert.equal(r.kind, reason ? 'failure' : 'user-error', `${name}: ${r.message}`);
      assert.equal(r.reason, reason, name);
      assert.ok(r.mutations.length > 0);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the runner survives and reports a hang, a huge allocation and a heap exhaustion, then goes on', async () => {
  const targetsModule = new URL('./brokenTargets.ts', import.meta.url).href;
  const common = { seed: 1, cases: 3, targetsModule, maxOldGenerationMb: 64 };
  const reports = [
    ...(await runFuzz({ ...common, targets: ['strict', 'hang', 'allocation'], caseTimeoutMs: 800 })),
    // Filling the heap takes a while on a busy machine: a generous time limit, so it is not taken for a hang.
    ...(await runFuzz({ ...common, targets: ['heap'], caseTimeoutMs: 60_000 })),
  ];
  const by = new Map(reports.map((r) => [r.target, r]));
  const strict = by.get('strict');
  assert.deepEqual([strict?.ok, strict?.userErrors, strict?.failures.length], [1, 2, 0]);
  for (const [name, reason] of [
    ['hang', 'hang'],
    ['allocation', 'allocation'],
    ['heap', 'memory'],
  ] as const) {
    const r = by.get(name);
    assert.ok(r, name);
    assert.equal(r.ok, 1, `${name}: the seed case parses`);
    assert.deepEqual(
      r.failures.map((f) => [f.caseIndex, f.reason]),
      [
        [1, reason],
        [2, reason],
      ],
      `${name}: ${JSON.stringify(r.failures.map((f) => f.message))}`,
    );
  }
});
