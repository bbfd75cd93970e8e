// estimateTime(): a config's expected wall time per stage on this machine, from counted work and measured speeds.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { describeEngine, getBackendReport, initEngine } from '../engine/index.js';
import { writeFileAtomic } from '../results/atomic.js';
import { countWork, type StageWork, type WorkCounts } from '../training/workCounts.js';
import { measureSpeeds, type EngineSpeeds } from '../training/speedBenchmark.js';
import { loadStores } from '../datasets/index.js';
import { hashCanonical } from '../util/canonical.js';
import { formatDuration } from '../util/progress.js';

/** One stage's expected seconds; `prepare` is measured (or 0 when its stores were cached), the others estimated. */
export interface StageEstimate {
  stage: 'prepare' | 'pretrain' | 'finetune' | 'evaluate';
  seconds: number;
  /** How the number was had, e.g. `cached stores`, `5 x 173 windows x 7 transformations`. */
  note: string;
}

/** What {@link estimateTime} returns. */
export interface TimeEstimate {
  stages: StageEstimate[];
  totalSeconds: number;
  /** The engine the speeds were measured on, e.g. `wasm+dnnl (2 threads, ...)`. */
  engine: string;
  speeds: EngineSpeeds;
  /** When the speeds were measured (ISO time), and whether they came from the cache. */
  measuredAt: string;
  cached: boolean;
  work: WorkCounts;
}

/** Options of {@link estimateTime}. */
export interface EstimateTimeOptions {
  /** Measure the speeds again even when the cache has them (e.g. the machine's load changed). */
  remeasure?: boolean;
  /** Time budget per speed measurement, seconds (default 1.5). */
  benchSeconds?: number;
}

/**
 * Seconds of a stage's work at the measured speeds: network samples over the training and inference rates, and the
 * head's steps at a cost linear in their rows (between the 2-row and the full-batch step measured).
 */
export function stageSeconds(w: StageWork, s: EngineSpeeds, batchSize: number, pretrain: boolean): number {
  const train = pretrain ? s.pretrainSamplesPerSecond : s.trainSamplesPerSecond;
  const perRow = batchSize > 2 ? Math.max(0, s.headStepSeconds - s.headRowStepSeconds) / (batchSize - 2) : 0;
  const head = w.headSteps * s.headRowStepSeconds + Math.max(0, w.headRows - 2 * w.headSteps) * perRow;
  return w.trainSamples / train + w.inferSamples / s.inferSamplesPerSecond + head;
}

/** What the speeds depend on besides the engine: the network, the window and the batches, the head. */
function speedKey(config: Config, engine: string): string {
  const { model, finetune: ft, pretrain } = config;
  return hashCanonical({
    version: SPEEDS_VERSION,
    engine,
    model,
    windowSamples: config.preprocessing.windowSamples,
    pretrainBatch: pretrain.batchWindows,
    finetune: { batchSize: ft.batchSize, layers: ft.layers, units: ft.units, dropout: ft.dropout, l2: ft.l2 },
    dataset: config.data.kind,
  }).slice(0, 16);
}

/** Version of the measured speeds' fields (a cache entry of another version is measured again). */
const SPEEDS_VERSION = 1;

type SpeedCache = Record<string, { engine: string; measuredAt: string; speeds: EngineSpeeds }>;

/** The engine's speeds for `config` from `<cacheDir>/engine-speeds.json`, else measured now and added there. */
async function engineSpeeds(
  config: Config,
  opts: EstimateTimeOptions,
): Promise<{ engine: string; measuredAt: string; speeds: EngineSpeeds; cached: boolean }> {
  await initEngine(config.engine);
  const engine = describeEngine(getBackendReport()!);
  const file = join(config.output.cacheDir, 'engine-speeds.json');
  let cache: SpeedCache = {};
  try {
    if (existsSync(file)) cache = JSON.parse(readFileSync(file, 'utf8')) as SpeedCache;
  } catch {
    cache = {}; // an unreadable cache is measured again
  }
  const key = speedKey(config, engine);
  const hit = cache[key];
  const complete = hit && Object.values(hit.speeds).every((v) => typeof v === 'number' && v > 0);
  if (hit && complete && !opts.remeasure) return { ...hit, cached: true };
  const entry = {
    engine,
    measuredAt: new Date().toISOString(),
    speeds: measureSpeeds({ config, seconds: opts.benchSeconds }),
  };
  await writeFileAtomic(file, `${JSON.stringify({ ...cache, [key]: entry }, null, 2)}\n`);
  return { ...entry, cached: false };
}

/**
 * The expected wall time of `config` on this machine, per stage: prepares the stores (timed; cached ones take no
 * time), counts each stage's work on them ({@link countWork}: windows x transformations x epochs x folds x label
 * fractions x arms; the hrv arm counts as free) and divides by the engine's speeds on the config's own network,
 * measured once per engine and network shape and cached in `<cacheDir>/engine-speeds.json` (`remeasure`: again).
 */
export async function estimateTime(config: Config, opts: EstimateTimeOptions = {}): Promise<TimeEstimate> {
  const t0 = Date.now();
  const stores = await loadStores(config, { progress: false });
  const prepareSeconds = (Date.now() - t0) / 1000;
  try {
    const work = countWork(config, stores);
    const sp = await engineSpeeds(config, opts);
    const p = config.pretrain;
    const bs = config.finetune.batchSize;
    const units = p.scope === 'all' ? 'one pretraining' : `${config.evaluation.folds} pretrainings`;
    const stages: StageEstimate[] = [
      { stage: 'prepare', seconds: prepareSeconds, note: `${work.windows} windows, prepared or opened now` },
      {
        stage: 'pretrain',
        seconds: stageSeconds(work.pretrain, sp.speeds, bs, true),
        note: `${units} x ${p.epochs} epochs, ${work.pretrain.trainSamples} training samples`,
      },
      {
        stage: 'finetune',
        seconds: stageSeconds(work.finetune, sp.speeds, bs, false),
        note: `${work.finetune.fits} fits, ${work.finetune.headSteps} head steps, ${work.finetune.trainSamples} network samples`,
      },
      {
        stage: 'evaluate',
        seconds: stageSeconds(work.evaluate, sp.speeds, bs, false),
        note: `${work.evaluate.fits} fits, ${work.evaluate.headSteps} head steps, ${work.evaluate.trainSamples} network samples`,
      },
    ];
    const totalSeconds = stages.reduce((a, s) => a + s.seconds, 0);
    return {
      stages,
      totalSeconds,
      engine: sp.engine,
      speeds: sp.speeds,
      measuredAt: sp.measuredAt,
      cached: sp.cached,
      work,
    };
  } finally {
    for (const s of [stores.labelled, ...stores.extra]) s.close();
  }
}

/** `estimate: prepare 0s, pretrain ~24s, ... total ~1m06s on <engine> (speed measured <time>)` for `stages`. */
export function formatEstimateLine(e: TimeEstimate, stages?: readonly StageEstimate['stage'][]): string {
  const shown = e.stages.filter((s) => !stages || stages.includes(s.stage));
  const total = shown.reduce((a, s) => a + s.seconds, 0);
  const parts = shown.map((s) => `${s.stage} ~${formatDuration(s.seconds)}`).join(', ');
  return (
    `estimate: ${parts}; total ~${formatDuration(total)} on ${e.engine} ` +
    `(speed ${e.cached ? 'measured' : 'measured now'} ${e.measuredAt.slice(0, 16).replace('T', ' ')} UTC; ecgssl plan --estimate)`
  );
}
