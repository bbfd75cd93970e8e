// Renders a reference report as a readable table: per head and epoch, both implementations' held-out metrics.
import type { ReferenceReport } from './summarizeReference.js';

function cell(mean: number | undefined, sd: number | undefined): string {
  return `${(mean ?? NaN).toFixed(3)}±${(sd ?? NaN).toFixed(3)}`.padStart(12);
}

/** The table of `npm run reference` without --json (means ± seed standard deviation). */
export function formatReference(r: ReferenceReport): string {
  const lines = [
    `held-out pretext metrics, mean ± sd over seeds ${r.seeds.join(', ')} (${r.windows.train} training / ` +
      `${r.windows.heldOut} held-out windows, ${r.steps} steps)`,
    `${'head'.padEnd(9)}${'epoch'.padStart(6)}${'ecgssl acc'.padStart(12)}${'pytorch acc'.padStart(12)}` +
      `${'ecgssl F1'.padStart(12)}${'pytorch F1'.padStart(12)}`,
  ];
  for (const h of r.heads) {
    const e = r.ecgssl[h];
    const p = r.pytorch[h];
    if (!e || !p) continue;
    for (let k = 0; k < r.epochs; k++) {
      lines.push(
        `${h.padEnd(9)}${String(k + 1).padStart(6)}${cell(e.accuracy[k], e.accuracySd[k])}` +
          `${cell(p.accuracy[k], p.accuracySd[k])}${cell(e.f1[k], e.f1Sd[k])}${cell(p.f1[k], p.f1Sd[k])}`,
      );
    }
  }
  const loss = (v: readonly number[]): string => v.map((x) => x.toFixed(3)).join(' ');
  lines.push(
    `training loss per epoch: ecgssl ${loss(r.trainLoss.ecgssl)}; pytorch ${loss(r.trainLoss.pytorch)}`,
    `final F1 gap per head (± its standard error from the seed spreads): ${r.heads
      .map((h) => `${h} ${(r.headF1Gap[h] ?? NaN).toFixed(3)} ± ${(r.headF1GapSe[h] ?? NaN).toFixed(3)}`)
      .join(', ')}`,
    `maxHeadF1Gap ${r.maxHeadF1Gap.toFixed(3)}; seconds: ecgssl ${r.seconds.ecgssl.toFixed(1)}, ` +
      `pytorch ${r.seconds.pytorch.toFixed(1)}`,
  );
  return lines.join('\n') + '\n';
}
