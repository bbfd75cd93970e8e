// report.html of a real tiny run, opened in headless chromium: written by pretrain, run and `ecgssl report`.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { cli, tinyConfigYaml } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ecgssl-report-run-'));
const configPath = join(dir, 'tiny.yaml');
writeFileSync(
  configPath,
  tinyConfigYaml(dir, {
    experiment: 'tiny-report',
    finetune: '{ epochs: 2, batchSize: 16, units: 8, layers: 1, baselineEpochs: 1 }',
    evaluation: "{ folds: 3, labelFractions: ['50%'] }",
    engine: '{ backend: cpu }',
  }),
);

/** The chromium this test drives: $CHROMIUM, else Debian's /usr/bin/chromium (undefined: none installed). */
function chromiumPath(): string | undefined {
  return [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
    (p): p is string => p !== undefined && p !== '' && existsSync(p),
  );
}

let browser: Browser | undefined;
test.after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What chromium shows of a report: console errors, failed or outside requests, each inline figure's box. */
async function openInChromium(
  t: TestContext,
  path: string,
): Promise<{ errors: string[]; boxes: number[][] } | undefined> {
  const exe = chromiumPath();
  if (exe === undefined) {
    t.skip('chromium not installed: apt-get install chromium (or set CHROMIUM=/path/to/chromium)');
    return undefined;
  }
  browser ??= await puppeteer.launch({ executablePath: exe, args: ['--no-sandbox', '--headless=new'] });
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page: ${(e as Error).message}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  page.on('request', (r) => {
    if (!r.url().startsWith('file://')) errors.push(`request outside the file: ${r.url()}`);
  });
  await page.goto(`file://${path}`, { waitUntil: 'load' });
  const boxes = await page.$$eval('figure > svg', (svgs) =>
    svgs.map((s) => {
      const r = s.getBoundingClientRect();
      return [r.width, r.height, s.querySelectorAll('path, text, line').length];
    }),
  );
  await page.close();
  return { errors, boxes };
}

/** The `.svg` files of a run (figures/ and pretrain/<unit>/), which the report must all show. */
function svgFiles(runDir: string): string[] {
  const list = (rel: string): string[] =>
    existsSync(join(runDir, rel))
      ? readdirSync(join(runDir, rel))
          .filter((n) => n.endsWith('.svg'))
          .map((n) => `${rel}/${n}`)
      : [];
  const units = existsSync(join(runDir, 'pretrain')) ? readdirSync(join(runDir, 'pretrain')) : [];
  return [...list('figures'), ...units.flatMap((u) => list(`pretrain/${u}`))];
}

/** Asserts the page loaded cleanly and shows each of the run's figures with a non-empty box and marks. */
async function assertShowsEveryFigure(t: TestContext, report: string, runDir: string): Promise<void> {
  const seen = await openInChromium(t, report);
  if (!seen) return;
  assert.deepEqual(seen.errors, []);
  const files = svgFiles(runDir);
  assert.ok(files.length > 0);
  assert.equal(seen.boxes.length, files.length, `figures in the page vs ${files.join(', ')}`);
  for (const [w, h, marks] of seen.boxes) {
    assert.ok(w! > 10 && h! > 10, `figure box ${w}x${h}`);
    assert.ok(marks! > 0, 'figure without marks');
  }
}

let runDir = '';

test('ecgssl pretrain alone: report.html with the pretext figure and one-line notes for the rest', async (t) => {
  const r = await cli('pretrain', '--config', configPath, '--quiet');
  assert.equal(r.code, 0, r.stderr);
  const report = /^report (.*report\.html)$/m.exec(r.stdout)?.[1];
  assert.ok(report && existsSync(report), r.stdout);
  runDir = /^run directory (.*)$/m.exec(r.stdout)![1]!;
  const html = readFileSync(report, 'utf8');
  assert.match(html, /No summary: the run has no finetune or evaluate results yet\./);
  assert.match(html, /No per-fold figures/);
  assert.match(html, /No transformation gallery/);
  assert.match(html, /<h3>pretrain\/all<\/h3>/);
  assert.match(html, /<td>pretrain<\/td><td>done<\/td>/);
  assert.match(html, /experiment: tiny-report/);
  await assertShowsEveryFigure(t, report, runDir);
});

test('ecgssl run ends by printing the report path; the page shows every figure of the run', async (t) => {
  const r = await cli('run', '--config', configPath, '--quiet');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.at(-1), `report ${join(runDir, 'report.html')}`);
  assert.equal(lines.at(-2), `run directory ${runDir}`);
  const html = readFileSync(join(runDir, 'report.html'), 'utf8');
  for (const section of [
    'summary',
    'label-fraction-curve',
    'per-fold',
    'confusion',
    'pretext',
    'transformations',
    'engine',
    'config',
  ])
    assert.match(html, new RegExp(`<section id="${section}">`));
  assert.doesNotMatch(html, /<p class="note">No /);
  assert.doesNotMatch(html, /left out|could not be read/);
  // a run's summary.json carries the paired tests of its difference rows: the page shows their columns
  assert.match(html, /<th>p \(Wilcoxon\)<\/th>/);
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as {
    rows: { arm: string; pTTest?: number | null }[];
  };
  assert.ok(summary.rows.some((row) => row.arm === 'difference' && typeof row.pTTest === 'number'));
  assert.match(html, /<td>arousal<\/td><td>50%<\/td><td>difference<\/td>/);
  assert.match(html, /<td>evaluate<\/td><td>done<\/td>/);
  assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/);
  await assertShowsEveryFigure(t, join(runDir, 'report.html'), runDir);
});

test('ecgssl report rebuilds the page from the files, with the paired tests when summary.json has them', async (t) => {
  const path = join(runDir, 'summary.json');
  const summary = JSON.parse(readFileSync(path, 'utf8')) as { rows: Record<string, unknown>[] };
  for (const row of summary.rows)
    if (row.arm === 'difference')
      Object.assign(row, { ci95Low: -0.25, ci95High: 0.125, pTTest: 0.0004, pWilcoxon: 0.25 });
  writeFileSync(path, JSON.stringify(summary));
  const r = await cli('report', runDir);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${join(runDir, 'report.html')}\n`);
  const html = readFileSync(join(runDir, 'report.html'), 'utf8');
  assert.match(html, /<th>p \(Wilcoxon\)<\/th>/);
  assert.match(
    html,
    /<td class="num">\[\u22120\.250, \+0\.125\]<\/td><td class="num">&lt;0\.001<\/td><td class="num">0\.250<\/td>/,
  );
  await assertShowsEveryFigure(t, join(runDir, 'report.html'), runDir);
});

test('ecgssl report on a folder that is not a run directory: one line, exit 1', async () => {
  for (const target of [join(dir, 'missing'), dir]) {
    const r = await cli('report', target);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^ecgssl: writeRunReport: .*(does not exist|is not a run directory)/);
  }
});
