// Assembles report.html: one self-contained page (inline SVG and CSS, no script, no network) from a run's files.
import { basename } from 'node:path';
import { escapeHtml } from './escapeHtml.js';
import { figureSections, type ReportSection } from './figureSections.js';
import type { RunFiles } from './readRunFiles.js';
import { runInfoSection } from './runInfoSection.js';
import { summaryTable } from './summaryTable.js';

const STYLE = `
body { font-family: 'DejaVu Sans', Arial, sans-serif; margin: 1.5em auto; max-width: 1400px; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; border-bottom: 1px solid #ccc; margin-top: 2em; } h3 { font-size: 1em; }
table { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }
th, td { border: 1px solid #ddd; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.difference td { background: #f7fbff; }
.note { color: #666; font-style: italic; }
.figures { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
figure { margin: 0; max-width: 100%; overflow-x: auto; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 0.8em; color: #666; }
pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
dl.provenance { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; font-size: 0.9em; }
dl.provenance dt { font-weight: bold; } dl.provenance dd { margin: 0; overflow-wrap: anywhere; }
nav a { margin-right: 1em; }
`;

/** A file that may be missing or unreadable: `body(value)`, or a one-line note. */
function fromFile<T>(
  read: { value?: T; error?: string } | undefined,
  file: string,
  missing: string,
  body: (value: T) => string,
): string {
  if (read === undefined) return `<p class="note">${escapeHtml(missing)}</p>`;
  if (read.value === undefined)
    return `<p class="note">${escapeHtml(`${file} could not be read: ${read.error ?? 'unknown error'}`)}</p>`;
  return body(read.value);
}

/** Every section of the page, in order. */
function sections(files: RunFiles): ReportSection[] {
  return [
    {
      id: 'summary',
      title: 'Summary (mean \u00b1 std over folds)',
      body: fromFile(
        files.summary,
        'summary.json',
        'No summary: the run has no finetune or evaluate results yet.',
        summaryTable,
      ),
    },
    ...figureSections(files),
    {
      id: 'engine',
      title: 'Engine and timings',
      body: fromFile(files.runJson, 'run.json', 'No run.json in this directory.', runInfoSection),
    },
    {
      id: 'config',
      title: 'Resolved config (config.resolved.yaml)',
      body: fromFile(
        files.config,
        'config.resolved.yaml',
        'No config.resolved.yaml in this directory.',
        (t) => `<pre>${escapeHtml(t)}</pre>`,
      ),
    },
  ];
}

/**
 * The HTML of report.html for the files of one run (see readRunFiles): a title from run.json, a table of contents,
 * then the summary table, the figures, engine and timings, and the resolved config. A content security policy
 * forbids every load (no network, no script); the figures are inline SVG, the style inline CSS.
 */
export function renderReport(files: RunFiles, generatedAt: Date): string {
  const run = files.runJson?.value ?? {};
  const name =
    [run.experiment, run.runId].filter((v) => typeof v === 'string').join(' ') || basename(files.dir);
  const all = sections(files);
  const nav = all.map((s) => `<a href="#${s.id}">${escapeHtml(s.title.replace(/ \(.*$/, ''))}</a>`).join('');
  const body = all.map(
    (s) => `<section id="${s.id}">\n<h2>${escapeHtml(s.title)}</h2>\n${s.body}\n</section>`,
  );
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`ecgssl report: ${name}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(`ecgssl report: ${name}`)}</h1>
<p class="note">${escapeHtml(`${files.dir}, written ${generatedAt.toISOString()}`)}</p>
<nav>${nav}</nav>
${body.join('\n')}
</body>
</html>
`;
}
