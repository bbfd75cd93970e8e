// Reads what a run directory holds for its report: config, run.json, summary.json, figures, pretraining units.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { RESOLVED_CONFIG, RUN_JSON } from '../results/runDir.js';
import { sanitizeSvg } from './sanitizeSvg.js';

const num = z.number().nullish();

/** A summary.json row as the report reads it (the paired-test fields are optional). */
const rowSchema = z.object({
  dataset: z.string(),
  task: z.string(),
  arm: z.string(),
  labelFraction: z.string(),
  metric: z.string(),
  mean: z.number(),
  std: z.number(),
  n: z.number(),
  ci95Low: num,
  ci95High: num,
  pTTest: num,
  pWilcoxon: num,
});
const summarySchema = z.object({
  rows: z.array(rowSchema),
  skipped: z
    .array(
      z.object({
        task: z.string(),
        arm: z.string(),
        labelFraction: z.string(),
        fold: z.number(),
        reason: z.string(),
      }),
    )
    .default([]),
});
const pretrainMetricsSchema = z.object({
  epochs: z.number().optional(),
  metrics: z.array(z.object({ task: z.string(), accuracy: z.number(), f1: z.number() })).default([]),
  headsAtChance: z.array(z.string()).optional(),
});

export type ReportRow = z.infer<typeof rowSchema>;
export type ReportSummary = z.infer<typeof summarySchema>;
export type PretrainMetrics = z.infer<typeof pretrainMetricsSchema>;

/** One figure file: its SVG checked for inlining, or why it was left out. */
export interface ReportFigure {
  /** Path relative to the run directory, e.g. `figures/label-fraction-curve.svg`. */
  file: string;
  svg?: string;
  refused?: string;
}

/** A file that could be read (`value`), or the one-line reason it could not (`error`); absent: no such file. */
export interface Read<T> {
  value?: T;
  error?: string;
}

/** Everything the report shows, read from a run directory. */
export interface RunFiles {
  dir: string;
  config?: Read<string>;
  runJson?: Read<Record<string, unknown>>;
  summary?: Read<ReportSummary>;
  /** `figures/*.svg`, sorted by name. */
  figures: ReportFigure[];
  /** One entry per `pretrain/<unit>/` folder holding figures or metrics.json, sorted by unit. */
  pretrain: { unit: string; figures: ReportFigure[]; metrics?: Read<PretrainMetrics> }[];
}

/** Reads and parses one file when it exists; a read or parse failure becomes `error`. */
function readOptional<T>(path: string, parse: (text: string) => T): Read<T> | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return { value: parse(readFileSync(path, 'utf8')) };
  } catch (err) {
    const e = err as Error & { issues?: { path: PropertyKey[]; message: string }[] };
    const issue = e.issues?.[0];
    return { error: issue ? `${issue.path.map(String).join('.')}: ${issue.message}` : e.message };
  }
}

/** The `.svg` files of a folder of the run (sorted), each checked by {@link sanitizeSvg}. */
function readFigures(dir: string, rel: string, counter: { n: number }): ReportFigure[] {
  const abs = join(dir, rel);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) return [];
  return readdirSync(abs)
    .filter((name) => name.endsWith('.svg'))
    .sort()
    .map((name) => {
      const file = `${rel}/${name}`;
      const checked = sanitizeSvg(readFileSync(join(abs, name), 'utf8'), `f${counter.n++}-`);
      return checked.ok ? { file, svg: checked.svg } : { file, refused: checked.reason };
    });
}

/** Reads the report's inputs from run directory `dir` (every one optional; nothing here throws for a bad file). */
export function readRunFiles(dir: string): RunFiles {
  const counter = { n: 0 };
  const pretrainDir = join(dir, 'pretrain');
  const units =
    existsSync(pretrainDir) && statSync(pretrainDir).isDirectory()
      ? readdirSync(pretrainDir, { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => d.name)
          .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
      : [];
  const pretrain = units
    .map((unit) => ({
      unit,
      figures: readFigures(dir, `pretrain/${unit}`, counter),
      metrics: readOptional(join(pretrainDir, unit, 'metrics.json'), (t) =>
        pretrainMetricsSchema.parse(JSON.parse(t)),
      ),
    }))
    .filter((u) => u.figures.length > 0 || u.metrics !== undefined);
  return {
    dir,
    config: readOptional(join(dir, RESOLVED_CONFIG), (t) => t),
    runJson: readOptional(join(dir, RUN_JSON), (t) => {
      const v: unknown = JSON.parse(t);
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
      return v as Record<string, unknown>;
    }),
    summary: readOptional(join(dir, 'summary.json'), (t) => summarySchema.parse(JSON.parse(t))),
    figures: readFigures(dir, 'figures', counter),
    pretrain,
  };
}
