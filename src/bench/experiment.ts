/**
 * Whole-experiment benchmark (`npm run build && node scripts/bench.mjs --only experiment [--quick]`): the quickstart
 * config (configs/quickstart.yaml: bundled synthetic ECG, seed 1) with 2 pretraining epochs (quick: and 3 folds instead
 * of 10) run end to end — prepare (synthetic data generated into a temporary folder), pretrain, finetune, evaluate —
 * by the same `runPipeline` as `ecgssl run`, with the phase timer on (src/util/phaseTimer.ts). Reports the wall time
 * and its split: the engine (`engine.*` phases: training steps, held-out and test inference, embeddings) and the rest
 * by category (pretext batches with their transformations, dropout masks, fit set-up, hrv arm, figures, I/O,
 * preparation, and `other` = what no phase covers: engine start, stage bookkeeping, logging). Goal: rest < 15 %.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').trim().split(' ').slice(0, 3).join(' ');
const round = (v: number, digits = 2): number => Number(v.toFixed(digits));

/** The share of the wall time below which the non-engine part should stay (issue 17). */
export const REST_SHARE_TARGET = 0.15;

/** Bench entry point (see scripts/bench.mjs). */
export async function run({ quick }: { json: boolean; quick: boolean }): Promise<object> {
  const { loadConfig } = await import('../config/load.js');
  const { runPipeline } = await import('../training/runPipeline.js');
  const { setPhaseTimer, phaseTotals } = await import('../util/phaseTimer.js');
  const { getBackendReport, describeEngine } = await import('../engine/backend.js');
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const dir = mkdtempSync(join(tmpdir(), 'ecgssl-bench-experiment-'));
  const sets = [
    `output.root=${join(dir, 'results')}`,
    `output.cacheDir=${join(dir, 'cache')}`,
    `data.root=${join(dir, 'synthetic')}`,
    'pretrain.epochs=2',
    ...(quick ? ['evaluation.folds=3', 'evaluation.labelFractions=["2%"]'] : []),
  ];
  const loadBefore = loadavg();
  try {
    const loaded = await loadConfig({ path: join(root, 'configs', 'quickstart.yaml'), sets });
    setPhaseTimer(true);
    const t0 = performance.now();
    const result = await runPipeline(loaded, { force: true, progress: false });
    const totalSeconds = (performance.now() - t0) / 1000;
    const phases = phaseTotals();
    setPhaseTimer(false);
    const report = getBackendReport();
    const summary = experimentShares(totalSeconds, phases);
    const out = {
      config: 'configs/quickstart.yaml',
      overrides: sets.slice(3),
      engineName: report ? describeEngine(report) : 'unknown',
      stages: Object.fromEntries(result.stages.map((s) => [s.stage, round(s.seconds, 1)])),
      ...summary,
      restUnderTarget: summary.restShare < REST_SHARE_TARGET,
      loadavgBefore: loadBefore,
      loadavgAfter: loadavg(),
    };
    process.stderr.write(formatShares(out.engineName, summary));
    return { experiment: out };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The engine/rest split of a run's wall time from its phase totals (`engine.*` phases are the engine). */
export function experimentShares(
  totalSeconds: number,
  phases: Record<string, { seconds: number; calls: number }>,
): {
  totalSeconds: number;
  engineSeconds: number;
  restSeconds: number;
  restShare: number;
  engine: Record<string, number>;
  rest: Record<string, number>;
} {
  const engine: Record<string, number> = {};
  const rest: Record<string, number> = {};
  let covered = 0;
  let engineSeconds = 0;
  for (const [name, t] of Object.entries(phases)) {
    covered += t.seconds;
    if (name.startsWith('engine.')) {
      engine[name.slice('engine.'.length)] = round(t.seconds);
      engineSeconds += t.seconds;
    } else rest[name] = round(t.seconds);
  }
  rest.other = round(Math.max(0, totalSeconds - covered));
  const restSeconds = totalSeconds - engineSeconds;
  return {
    totalSeconds: round(totalSeconds, 1),
    engineSeconds: round(engineSeconds, 1),
    restSeconds: round(restSeconds, 1),
    restShare: round(restSeconds / totalSeconds, 3),
    engine,
    rest,
  };
}

function formatShares(engineName: string, s: ReturnType<typeof experimentShares>): string {
  const pct = (v: number): string => `${((100 * v) / s.totalSeconds).toFixed(1)}%`;
  const list = (r: Record<string, number>): string =>
    Object.entries(r)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v.toFixed(1)} s (${pct(v)})`)
      .join(', ');
  return (
    `experiment on ${engineName}: ${s.totalSeconds} s; engine ${s.engineSeconds} s (${pct(s.engineSeconds)}): ` +
    `${list(s.engine)}; rest ${s.restSeconds} s (${pct(s.restSeconds)}): ${list(s.rest)}\n`
  );
}
