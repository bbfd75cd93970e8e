// The report's summary table: paired-test columns from a summary.json fixture, escaping, p-value format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatPValue, readRunFiles, renderReport } from '../../src/report/index.js';
import { summaryTable } from '../../src/report/summaryTable.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'report', 'summary-paired.json');

/** A run directory holding only the given summary.json (and a run.json). */
function runWith(summary: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'ecgssl-report-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary));
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ runId: 'abc', experiment: 'fx' }));
  return dir;
}

/** The text of each cell of the table's body rows (tags stripped, entities as written). */
function bodyCells(html: string): string[][] {
  const body = /<tbody>(.*)<\/tbody>/s.exec(html)![1]!;
  return [...body.matchAll(/<tr[^>]*>(.*?)<\/tr>/gs)].map((m) =>
    [...m[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((c) => c[1]!),
  );
}

test('formatPValue: three decimals, <0.001 below, nothing for a missing p', () => {
  assert.equal(formatPValue(0.0031), '0.003');
  assert.equal(formatPValue(0.125), '0.125');
  assert.equal(formatPValue(1), '1.000');
  assert.equal(formatPValue(0.00099), '<0.001');
  assert.equal(formatPValue(0.001), '0.001');
  assert.equal(formatPValue(undefined), '');
  assert.equal(formatPValue(null), '');
  assert.equal(formatPValue(Number.NaN), '');
});

test('summary table: CI and p-values of the difference rows from the fixture, blank for the other arms', () => {
  const summary = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  const files = readRunFiles(runWith(summary));
  assert.ok(files.summary?.value, files.summary?.error);
  const html = summaryTable(files.summary.value);
  assert.match(html, /<th colspan="4">accuracy<\/th><th colspan="4">macro F1<\/th>/);
  assert.equal((html.match(/<th>p \(Wilcoxon\)<\/th>/g) ?? []).length, 2);
  const rows = bodyCells(html);
  assert.equal(rows.length, 4);
  // dataset, task, labels, arm, n, then per metric: mean +- std, CI, p t-test, p Wilcoxon.
  assert.deepEqual(rows[0]!.slice(0, 9), [
    'synthetic',
    'arousal',
    '100%',
    'ssl',
    '4',
    '0.859 \u00b1 0.057',
    '',
    '',
    '',
  ]);
  assert.deepEqual(rows[2]!.slice(3), [
    'difference',
    '4',
    '+0.159 \u00b1 0.040',
    '[+0.095, +0.223]',
    '0.003',
    '0.125',
    '\u22120.012 \u00b1 0.050',
    '[\u22120.092, +0.068]',
    '&lt;0.001',
    '1.000',
  ]);
  // Values from files are escaped; a row without F1 shows n/a.
  assert.deepEqual(rows[3]!.slice(1, 4), ['&lt;b&gt;valence&lt;/b&gt;', '25%', 'difference-hrv']);
  assert.deepEqual(rows[3]!.slice(5, 9), ['+0.050 \u00b1 0.200', '[\u22120.268, +0.368]', '0.645', '0.875']);
  assert.equal(rows[3]![9], 'n/a');
  assert.match(html, /<li>valence baseline 25%: fold 3 skipped \(one class in the &lt;test&gt; fold\)<\/li>/);
  assert.doesNotMatch(html, /<b>|<test>/);
});

test("summary table without paired-test fields (today's summary.json): no CI or p columns at all", () => {
  const summary = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { rows: Record<string, unknown>[] };
  for (const r of summary.rows) for (const k of ['ci95Low', 'ci95High', 'pTTest', 'pWilcoxon']) delete r[k];
  const html = summaryTable(readRunFiles(runWith(summary)).summary!.value!);
  assert.doesNotMatch(html, /95% CI|p \(t-test\)|Wilcoxon|colspan/);
  assert.match(html, /<th>accuracy \(mean \u00b1 std\)<\/th><th>macro F1 \(mean \u00b1 std\)<\/th>/);
  assert.equal(bodyCells(html)[2]!.length, 7);
});

test('a malformed summary.json is a one-line note in the page, not an error', () => {
  const dir = runWith({ rows: [{ task: 'arousal' }] });
  const html = renderReport(readRunFiles(dir), new Date(0));
  assert.match(html, /<p class="note">summary\.json could not be read: rows\.0\.dataset: [^<]+<\/p>/);
  assert.match(html, /No label-fraction curve/);
  assert.match(html, /No pretraining results in this run/);
  assert.match(html, /No config\.resolved\.yaml in this directory\./);
  assert.match(html, /<title>ecgssl report: fx abc<\/title>/);
});
