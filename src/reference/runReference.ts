// Trains ecgssl and the PyTorch reference on the same exported batch stream per seed and compares them per head.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check } from '../errors.js';
import { TRANSFORMATION_NAMES } from '../augmentation/index.js';
import { pretrain, type HistoryRow } from '../training/pretrain.js';
import { createBatchStreamExport } from '../training/exportBatchStream.js';
import { log } from '../util/log.js';
import { openReferenceData } from './referenceData.js';
import { runPytorchScript } from './runPytorchScript.js';
import {
  summarizeReference,
  type HeadMetrics,
  type ReferenceReport,
  type ReferenceSeedRun,
} from './summarizeReference.js';

/** Arguments of {@link runReference}. */
export interface ReferenceArgs {
  /** The pretraining config (configs/reference.yaml). */
  configPath: string;
  seeds: readonly number[];
  /** Overrides `pretrain.epochs`. */
  epochs?: number;
  /** Further `key.path=value` overrides of the config (as `--set`), e.g. `output.cacheDir=/tmp/x`. */
  sets?: readonly string[];
  /** How many windows of the stores to use (evenly spaced per store, see pickWindows); default: all. */
  windows?: number;
  /** Torch threads of the PyTorch run. */
  threads?: number;
  /** Where the batch streams are written (a temporary folder by default); each is removed after its seed. */
  workDir?: string;
}

/** One seed of the PyTorch script's JSON output (str_reference.py train). */
interface PytorchTrainOutput {
  steps: number;
  history: { heldout: HeadMetrics; loss: number }[];
}

function ecgsslHeadMetrics(history: readonly HistoryRow[]): HeadMetrics[] {
  return history.map((row) => {
    const m: HeadMetrics = {};
    for (const t of TRANSFORMATION_NAMES)
      m[t] = { accuracy: row[`heldout_acc_${t}`] ?? NaN, f1: row[`heldout_f1_${t}`] ?? NaN };
    return m;
  });
}

/**
 * The differential reference of pretraining: for each seed, ecgssl pretrains on the config's windows (data +
 * pretrain.extraData, optionally an evenly spaced subset) while exporting its batch stream, then
 * scripts/reference/str_reference.py trains an independent PyTorch network on exactly that stream; both are
 * scored per head on the same held-out samples after every epoch.
 */
export async function runReference(args: ReferenceArgs): Promise<ReferenceReport> {
  check(args.seeds.length > 0, 'runReference', 'no seeds');
  const sets = [
    ...(args.sets ?? []),
    ...(args.epochs === undefined ? [] : [`pretrain.epochs=${args.epochs}`]),
  ];
  const data = await openReferenceData(args.configPath, sets, args.windows);
  const { config: base, source, windows } = data;
  const workDir = args.workDir ?? mkdtempSync(join(tmpdir(), 'ecgssl-reference-'));
  const runs: ReferenceSeedRun[] = [];
  try {
    log.info(
      `reference: ${windows.length} windows, ${base.pretrain.epochs} epochs, seeds ${args.seeds.join(' ')}`,
    );
    for (const seed of args.seeds) {
      const dir = join(workDir, `seed-${seed}`);
      const exporter = createBatchStreamExport({
        dir,
        windowSamples: source.windowSamples,
        modelConfig: base.model,
        pretrainConfig: base.pretrain,
        seed,
      });
      const t0 = Date.now();
      const res = await pretrain({
        source,
        windows,
        modelConfig: base.model,
        pretrainConfig: base.pretrain,
        transformations: base.transformations,
        seed,
        fold: -1,
        label: `ecgssl seed ${seed}`,
        onBatch: exporter.onBatch,
      });
      res.model.dispose();
      const meta = exporter.finish();
      const t1 = Date.now();
      const py = (await runPytorchScript([
        'train',
        dir,
        '--seed',
        String(seed),
        '--threads',
        String(args.threads ?? 2),
      ])) as PytorchTrainOutput;
      const t2 = Date.now();
      rmSync(dir, { recursive: true, force: true });
      runs.push({
        seed,
        ecgssl: ecgsslHeadMetrics(res.history),
        pytorch: py.history.map((h) => h.heldout),
        loss: { ecgssl: res.history.map((r) => r.loss ?? NaN), pytorch: py.history.map((h) => h.loss) },
        steps: { ecgssl: res.step, exported: meta.steps, pytorch: py.steps },
        windows: { train: res.train.length, heldOut: res.heldOut.length },
        seconds: { ecgssl: (t1 - t0) / 1000, pytorch: (t2 - t1) / 1000 },
      });
      const f1s = (m: HeadMetrics | undefined): string =>
        TRANSFORMATION_NAMES.map((t) => (m?.[t]?.f1 ?? NaN).toFixed(3)).join(' ');
      log.info(
        `reference seed ${seed}: ecgssl ${(t1 - t0) / 1000} s, pytorch ${(t2 - t1) / 1000} s; final held-out F1 ` +
          `(${TRANSFORMATION_NAMES.join(' ')}): ecgssl ${f1s(runs.at(-1)?.ecgssl.at(-1))}, pytorch ${f1s(runs.at(-1)?.pytorch.at(-1))}`,
      );
    }
  } finally {
    data.close();
    if (args.workDir === undefined) rmSync(workDir, { recursive: true, force: true });
  }
  return summarizeReference(TRANSFORMATION_NAMES, runs);
}
