// Writes a reference report to a folder: reference.json and the per-head F1 curves of both implementations.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { referenceCurvesSpec, saveVegaLite, type SavedFigure } from '../plots/index.js';
import { writeFileAtomic } from '../results/atomic.js';
import type { ReferenceReport } from './summarizeReference.js';

/** The rows of {@link referenceCurvesSpec}: per implementation, head and epoch the mean F1 and its seed sd. */
export function referenceCurveRows(
  r: ReferenceReport,
): { epoch: number; head: string; implementation: string; f1: number; sd: number }[] {
  const rows = [];
  for (const [implementation, curves] of [
    ['ecgssl', r.ecgssl],
    ['PyTorch', r.pytorch],
  ] as const) {
    for (const head of r.heads) {
      const c = curves[head];
      if (!c) continue;
      for (let e = 0; e < c.f1.length; e++)
        rows.push({ epoch: e + 1, head, implementation, f1: c.f1[e] as number, sd: c.f1Sd[e] as number });
    }
  }
  return rows;
}

/**
 * Saves `report` in `dir` (created): `reference.json` (the report, as `--json` prints it) and the figure
 * `reference-curves.svg/.png/.vl.json` (held-out F1 per head and epoch, both implementations). Returns the paths.
 */
export async function saveReferenceResults(
  report: ReferenceReport,
  dir: string,
): Promise<{ json: string; figure: SavedFigure }> {
  await mkdir(dir, { recursive: true });
  const json = join(dir, 'reference.json');
  await writeFileAtomic(json, JSON.stringify(report, null, 1) + '\n');
  const title =
    `Held-out pretext F1, ecgssl vs PyTorch (seeds ${report.seeds.join(', ')}; ${report.windows.train} training / ` +
    `${report.windows.heldOut} held-out windows, ${report.steps} steps)`;
  const figure = await saveVegaLite(
    referenceCurvesSpec(referenceCurveRows(report), title, report.heads),
    join(dir, 'reference-curves'),
  );
  return { json, figure };
}
