// The report's figure sections: figures/*.svg and pretrain/<unit>/*.svg grouped, each inlined or noted.
import { escapeHtml } from './escapeHtml.js';
import type { PretrainMetrics, Read, ReportFigure, RunFiles } from './readRunFiles.js';

/** One section of the page: anchor id, heading, HTML body. */
export interface ReportSection {
  id: string;
  title: string;
  body: string;
}

/** A figure inlined with its file name as caption, or a note saying why it was left out. */
function figureHtml(f: ReportFigure): string {
  if (f.svg === undefined)
    return `<p class="note">${escapeHtml(f.file)} left out: ${escapeHtml(f.refused)}</p>`;
  return `<figure>${f.svg}<figcaption>${escapeHtml(f.file)}</figcaption></figure>`;
}

/** The figures as a wrapping row, or the one-line note when there is none. */
function figuresOrNote(figures: readonly ReportFigure[], note: string): string {
  if (figures.length === 0) return `<p class="note">${escapeHtml(note)}</p>`;
  return `<div class="figures">${figures.map(figureHtml).join('\n')}</div>`;
}

/** finetune's figures before evaluate's, then by name. */
function byStage(a: ReportFigure, b: ReportFigure): number {
  const rank = (f: ReportFigure): number =>
    /\/finetune-/.test(f.file) ? 0 : /\/evaluate-/.test(f.file) ? 1 : 2;
  return rank(a) - rank(b) || a.file.localeCompare(b.file, 'en', { numeric: true });
}

/** A pretraining unit's final per-head metrics and the heads still at chance. */
function pretrainMetricsHtml(metrics: Read<PretrainMetrics> | undefined): string {
  if (metrics === undefined) return '';
  if (metrics.value === undefined)
    return `<p class="note">metrics.json could not be read: ${escapeHtml(metrics.error)}</p>`;
  const m = metrics.value;
  const rows = m.metrics.map(
    (h) =>
      `<tr><td>${escapeHtml(h.task)}</td><td class="num">${h.accuracy.toFixed(3)}</td><td class="num">${h.f1.toFixed(3)}</td></tr>`,
  );
  const table = rows.length
    ? `<table><thead><tr><th>head</th><th>accuracy</th><th>F1</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
    : '';
  const epochs = m.epochs === undefined ? '' : `${m.epochs} epochs. `;
  const chance =
    m.headsAtChance === undefined
      ? ''
      : m.headsAtChance.length === 0
        ? 'No head at chance.'
        : `Heads still at chance: ${m.headsAtChance.join(', ')}.`;
  return `${table}<p class="note">${escapeHtml(epochs + chance)}</p>`;
}

function pretextBody(units: RunFiles['pretrain']): string {
  if (units.length === 0)
    return '<p class="note">No pretraining results in this run (no pretrain/&lt;unit&gt;/ folder).</p>';
  return units
    .map(
      (u) =>
        `<h3>${escapeHtml(`pretrain/${u.unit}`)}</h3>\n${figuresOrNote(u.figures, 'no figure')}\n${pretrainMetricsHtml(u.metrics)}`,
    )
    .join('\n');
}

/** The figure sections in page order: label-fraction curve, per-fold bars, confusion, pretext, gallery, others. */
export function figureSections(files: RunFiles): ReportSection[] {
  const is = (name: string) => (f: ReportFigure) => f.file === `figures/${name}.svg`;
  const curve = files.figures.filter(is('label-fraction-curve'));
  const gallery = files.figures.filter(is('transformations'));
  const folds = files.figures.filter((f) => f.file.includes('-folds-accuracy')).sort(byStage);
  const confusion = files.figures.filter((f) => f.file.includes('-confusion-')).sort(byStage);
  const known = new Set([...curve, ...gallery, ...folds, ...confusion]);
  const others = files.figures.filter((f) => !known.has(f));
  const sections: ReportSection[] = [
    {
      id: 'label-fraction-curve',
      title: 'Label-fraction curve',
      body: figuresOrNote(
        curve,
        'No label-fraction curve: the run has no results at two or more label fractions.',
      ),
    },
    {
      id: 'per-fold',
      title: 'Per-fold accuracy',
      body: figuresOrNote(folds, 'No per-fold figures: the run has no finetune or evaluate results.'),
    },
    {
      id: 'confusion',
      title: 'Confusion matrices (summed over folds)',
      body: figuresOrNote(confusion, 'No confusion matrices: the run has no finetune or evaluate results.'),
    },
    { id: 'pretext', title: 'Pretext task (pretraining)', body: pretextBody(files.pretrain) },
    {
      id: 'transformations',
      title: 'Transformation gallery',
      body: figuresOrNote(gallery, 'No transformation gallery: it is drawn by the finetune stage.'),
    },
  ];
  if (others.length > 0)
    sections.push({ id: 'other-figures', title: 'Other figures', body: figuresOrNote(others, '') });
  return sections;
}
