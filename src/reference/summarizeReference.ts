// Combines the per-seed runs of both implementations into per-head, per-epoch means, seed spreads and F1 gaps.

/** One epoch's held-out metrics per head (head name -> accuracy, F1). */
export type HeadMetrics = Record<string, { accuracy: number; f1: number }>;

/** One seed of the reference comparison: both implementations' per-epoch held-out metrics. */
export interface ReferenceSeedRun {
  seed: number;
  ecgssl: HeadMetrics[];
  pytorch: HeadMetrics[];
  /** Mean training loss per epoch (weighted cross-entropy + L2, with dropout) of each implementation. */
  loss: { ecgssl: number[]; pytorch: number[] };
  steps: { ecgssl: number; exported: number; pytorch: number };
  windows: { train: number; heldOut: number };
  seconds: { ecgssl: number; pytorch: number };
}

/** Per-epoch curves of one head over the seeds: means and sample standard deviations (0 for one seed). */
export interface HeadCurves {
  accuracy: number[];
  f1: number[];
  accuracySd: number[];
  f1Sd: number[];
  /** Final-epoch F1 of each seed, in seed order. */
  finalF1PerSeed: number[];
}

/** What `npm run reference -- --json` prints. */
export interface ReferenceReport {
  ecgssl: Record<string, HeadCurves>;
  pytorch: Record<string, HeadCurves>;
  /** Max over heads of |mean final F1 ecgssl - mean final F1 pytorch|. */
  maxHeadF1Gap: number;
  headF1Gap: Record<string, number>;
  /**
   * Per head, the standard error of that gap from the seed spreads of the final F1 (sqrt(sd_e^2/n + sd_p^2/n),
   * n seeds; NaN with one seed): a gap within about two of these is what seed-to-seed variation alone gives.
   */
  headF1GapSe: Record<string, number>;
  /** Mean training loss per epoch, averaged over the seeds. */
  trainLoss: { ecgssl: number[]; pytorch: number[] };
  heads: string[];
  seeds: number[];
  epochs: number;
  steps: number;
  windows: { train: number; heldOut: number };
  seconds: { ecgssl: number; pytorch: number };
  /** Per seed: steps of ecgssl, of the exported stream and of the PyTorch run; windows; seconds. */
  perSeed: Omit<ReferenceSeedRun, 'ecgssl' | 'pytorch' | 'loss'>[];
}

function mean(v: readonly number[]): number {
  return v.reduce((a, x) => a + x, 0) / v.length;
}

function sd(v: readonly number[]): number {
  if (v.length < 2) return 0;
  const m = mean(v);
  return Math.sqrt(v.reduce((a, x) => a + (x - m) ** 2, 0) / (v.length - 1));
}

function curves(runs: readonly HeadMetrics[][], head: string): HeadCurves {
  const epochs = runs[0]?.length ?? 0;
  const at = (e: number, key: 'accuracy' | 'f1'): number[] => runs.map((r) => r[e]?.[head]?.[key] ?? NaN);
  const range = Array.from({ length: epochs }, (_, e) => e);
  return {
    accuracy: range.map((e) => mean(at(e, 'accuracy'))),
    f1: range.map((e) => mean(at(e, 'f1'))),
    accuracySd: range.map((e) => sd(at(e, 'accuracy'))),
    f1Sd: range.map((e) => sd(at(e, 'f1'))),
    finalF1PerSeed: at(epochs - 1, 'f1'),
  };
}

/** The report of {@link runReference} from its per-seed runs (all with the same heads and epochs). */
export function summarizeReference(
  heads: readonly string[],
  runs: readonly ReferenceSeedRun[],
): ReferenceReport {
  const ecgssl: Record<string, HeadCurves> = {};
  const pytorch: Record<string, HeadCurves> = {};
  const headF1Gap: Record<string, number> = {};
  const headF1GapSe: Record<string, number> = {};
  const n = runs.length;
  for (const h of heads) {
    ecgssl[h] = curves(
      runs.map((r) => r.ecgssl),
      h,
    );
    pytorch[h] = curves(
      runs.map((r) => r.pytorch),
      h,
    );
    headF1Gap[h] = Math.abs((ecgssl[h].f1.at(-1) ?? NaN) - (pytorch[h].f1.at(-1) ?? NaN));
    const [se, sp] = [ecgssl[h].f1Sd.at(-1) ?? NaN, pytorch[h].f1Sd.at(-1) ?? NaN];
    headF1GapSe[h] = n < 2 ? NaN : Math.sqrt((se * se + sp * sp) / n);
  }
  const epochs = runs[0]?.ecgssl.length ?? 0;
  const lossCurve = (impl: 'ecgssl' | 'pytorch'): number[] =>
    Array.from({ length: epochs }, (_, e) => mean(runs.map((r) => r.loss[impl][e] ?? NaN)));
  return {
    ecgssl,
    pytorch,
    maxHeadF1Gap: Math.max(...Object.values(headF1Gap)),
    headF1Gap,
    headF1GapSe,
    trainLoss: { ecgssl: lossCurve('ecgssl'), pytorch: lossCurve('pytorch') },
    heads: [...heads],
    seeds: runs.map((r) => r.seed),
    epochs,
    steps: runs[0]?.steps.ecgssl ?? 0,
    windows: runs[0]?.windows ?? { train: 0, heldOut: 0 },
    seconds: {
      ecgssl: runs.reduce((a, r) => a + r.seconds.ecgssl, 0),
      pytorch: runs.reduce((a, r) => a + r.seconds.pytorch, 0),
    },
    perSeed: runs.map(({ seed, steps, windows, seconds }) => ({ seed, steps, windows, seconds })),
  };
}
