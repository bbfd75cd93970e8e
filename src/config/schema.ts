// The zod schema of the experiment config (data, preprocessing, model, training, evaluation, engine, sweep).
import { z } from 'zod';
// The transformation table is a leaf (it imports only zod, errors and the Rng type), so config may derive from it.
import { TRANSFORMATIONS, TRANSFORMATION_NAMES } from '../augmentation/transformations.js';
import { transformationsSchemaOf } from '../augmentation/transformationsSchemaOf.js';
import { READER_SOURCE_SCHEMAS } from '../datasets/readers/registry.js';
import { schemaAt } from './schemaPath.js';

export { labelThresholdSchema } from '../datasets/readers/sourceFields.js';

/**
 * The experiment configuration: one YAML file fully describes a run. Every default is the value of
 * METHOD.md (Sarkar & Etemad, ICASSP 2020, and the authors' code pritamqu/SSL-ECG). The schema is strict:
 * unknown keys are errors.
 */

/**
 * One dataset source: where it is and how to read it. Built from the reader registry
 * (src/datasets/readers/registry.ts): a union on `kind` of each reader's own strict schema, so each kind accepts
 * exactly its own options (declared in its folder's zod-only `options.ts`; see that folder's README.md).
 */
export const dataSourceSchema = z.discriminatedUnion('kind', READER_SOURCE_SCHEMAS);

export const preprocessingSchema = z
  .object({
    /** Target sampling rate (METHOD §1: 256 Hz). */
    targetRateHz: z.number().positive().default(256),
    /** Zero-phase Butterworth high-pass (METHOD §1: 0.8 Hz, order 4). */
    highpass: z
      .object({
        enabled: z.boolean().default(true),
        cutoffHz: z.number().positive().default(0.8),
        order: z.number().int().positive().max(12).default(4),
      })
      .strict()
      .default({ enabled: true, cutoffHz: 0.8, order: 4 }),
    /** Per-subject normalisation: (x - mean) / std of the central fraction of sorted samples. */
    normalization: z
      .object({
        method: z.enum(['trimmed-zscore', 'zscore', 'none']).default('trimmed-zscore'),
        centralFraction: z.number().gt(0).max(1).default(0.95),
      })
      .strict()
      .default({ method: 'trimmed-zscore', centralFraction: 0.95 }),
    /** Window length in samples at the target rate (METHOD §1: 10 s = 2560). */
    windowSamples: z.number().int().positive().default(2560),
    /** Overlap between consecutive windows in samples (default 0: non-overlapping). */
    overlapSamples: z.number().int().nonnegative().default(0),
  })
  .strict();

/**
 * Parameters of the transformations (METHOD §2): one key per entry of the transformation table
 * (src/augmentation/transformations.ts) that has parameters: noise, scale, permute, timeWarp.
 */
export const transformationsSchema = transformationsSchemaOf(TRANSFORMATIONS);

/** The signal transformation recognition network (METHOD §3, Table 1). */
export const modelSchema = z
  .object({
    filters: z.array(z.number().int().positive()).length(3).default([32, 64, 128]),
    kernelSizes: z.array(z.number().int().positive()).length(3).default([32, 16, 8]),
    poolSize: z.number().int().positive().default(8),
    poolStride: z.number().int().positive().default(2),
    leakyAlpha: z.number().nonnegative().default(0.2),
    headUnits: z.number().int().positive().default(128),
    headDropout: z.number().min(0).lt(1).default(0.6),
    /**
     * The embedding's global pooling over time (`flat_layer`): `max` (METHOD §3 Table 1, the paper), or the opt-in
     * `average` or `max+average` (both concatenated: twice the units), which keep how often a response occurs (e.g.
     * the heart rate), not only its largest value.
     */
    globalPool: z.enum(['max', 'average', 'max+average']).default('max'),
  })
  .strict();

/** Adam settings (METHOD §3: beta1 0.9, beta2 0.999, epsilon 1e-8). */
export const adamSchema = z
  .object({
    beta1: z.number().min(0).lt(1).default(0.9),
    beta2: z.number().min(0).lt(1).default(0.999),
    epsilon: z.number().positive().default(1e-8),
  })
  .strict();

/** An extra unlabelled dataset for pretraining (same fields as `data`). */
export const pretrainSchema = z
  .object({
    /** Epochs (authors' code: 100). */
    epochs: z.number().int().positive().default(100),
    /** Windows per batch (x7 samples: 128 -> 896). */
    batchWindows: z.number().int().positive().default(128),
    /** Initial learning rate, decayed by `decayRate` every `decaySteps` steps (staircase). */
    learningRate: z.number().positive().default(0.001),
    decayRate: z.number().positive().max(1).default(0.9),
    decaySteps: z.number().int().positive().default(10000),
    adam: adamSchema.default({ beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }),
    /**
     * Loss weights of the heads, one per transformation in table order (original, noise, scale, negate, flip,
     * permute, timeWarp); default: each transformation's `defaultLossWeight` (METHOD §3).
     */
    taskWeights: z
      .array(z.number().nonnegative())
      .length(
        TRANSFORMATIONS.length,
        `needs one weight per transformation (${TRANSFORMATION_NAMES.join(', ')})`,
      )
      .default(TRANSFORMATIONS.map((t) => t.defaultLossWeight)),
    /** L2 coefficient on all kernels: l2 * sum(W^2)/2. */
    l2: z.number().nonnegative().default(1e-4),
    /** `fold`: pretrain per fold on its training windows (authors); `all`: once on every window. */
    scope: z.enum(['fold', 'all']).default('fold'),
    /** Fraction of the pretraining windows held out for per-epoch held-out metrics. */
    heldOutFraction: z.number().min(0).lt(1).default(0.1),
    /**
     * Further data sets (each a `data` block of any kind) whose every window, labelled or not, joins the pretraining
     * of every fold (scope `fold`) or the one pretraining (scope `all`); prepared and cached like `data`.
     */
    extraData: z.array(dataSourceSchema).default([]),
  })
  .strict();

/** The dense emotion classifier on top of the encoder (METHOD §4); unset fields take the dataset's defaults. */
export const finetuneSchema = z
  .object({
    /** `frozen`: fc-tuning on fixed embeddings (paper); `full`: the trunk trains too. */
    mode: z.enum(['frozen', 'full']).default('frozen'),
    epochs: z.number().int().positive().default(200),
    batchSize: z.number().int().positive().default(128),
    learningRate: z.number().positive().default(0.001),
    adam: adamSchema.default({ beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }),
    /** Dense layers (SWELL/WESAD 2, AMIGOS/DREAMER 3). */
    layers: z.number().int().positive().optional(),
    units: z.number().int().positive().default(512),
    /** Dropout after each dense layer (AMIGOS 0.4, DREAMER 0.2, else 0). */
    dropout: z.number().min(0).lt(1).optional(),
    /** L2 on the dense kernels (DREAMER 1e-4, else 0). */
    l2: z.number().nonnegative().optional(),
    /** Epochs of the no-SSL baseline (whole CNN trained end to end, far costlier per epoch than the head); default: `epochs`. */
    baselineEpochs: z.number().int().positive().optional(),
  })
  .strict();

export const evaluationSchema = z
  .object({
    folds: z.number().int().min(2).default(10),
    /** `window`: shuffled over windows (authors); `subject`: grouped by subject; `stratified-window`. */
    split: z.enum(['window', 'subject', 'stratified-window']).default('window'),
    /** Seed of the fold split (authors: 1). */
    splitSeed: z.number().int().default(1),
    /** Label fractions for the label-scarce study, e.g. ["1%", "10%", "100%"]. */
    labelFractions: z.array(z.string().regex(/^\d+(\.\d+)?%$/)).default(['1%']),
    /**
     * Arms trained on the same folds and label fractions: `ssl` (the pretrained encoder + head), `baseline` (the same
     * CNN from random init), `hrv` (the heart-rate reference: logistic regression on each window's HRV features).
     */
    arms: z
      .array(z.enum(['ssl', 'baseline', 'hrv']))
      .min(1)
      .refine((a) => new Set(a).size === a.length, 'each arm at most once')
      .default(['ssl', 'baseline', 'hrv']),
  })
  .strict();

export const engineSchema = z
  .object({
    backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
    /** Threads for the portable engine; default: all cores. */
    threads: z.number().int().positive().optional(),
    /**
     * Use the native oneDNN kernels on top of wasm when the addon is built (`true`, default); `false` runs the
     * portable tier alone (what a machine without libdnnl-dev gets).
     */
    dnnl: z.boolean().default(true),
    /**
     * Run the 1-D convolutions through overlap-save FFT kernels where that does several times fewer FLOPs (`true`,
     * default; same results to float rounding): the wasm FFT kernels on the portable tier, the addon's native ones
     * on wasm+dnnl. `false` keeps the direct convolutions (XNNPACK's, or oneDNN's) on both tiers.
     */
    fftConv: z.boolean().default(true),
    /**
     * Arithmetic of the native tier's oneDNN convolutions: `fp32` (default), `bf16` (bf16 products, fp32
     * accumulation, fp32 weights and optimiser state; needs the oneDNN tier on a CPU with AVX512-BF16 or AMX, else
     * a UserError), or `auto` (bf16 where available and its start-up check passes, fp32 elsewhere, with the reason
     * on the engine line). The FFT-routed layers stay fp32 either way.
     */
    precision: z.enum(['fp32', 'bf16', 'auto']).default('fp32'),
  })
  .strict();

/** A dotted config key of a sweep, e.g. `seed` or `finetune.mode` (list elements by index: `model.filters.0`). */
export const SWEEP_KEY_PATTERN = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/;

/** Top-level sections a sweep may not vary: they are not part of the config hash, or are the sweep itself. */
export const SWEEP_FORBIDDEN_ROOTS = ['sweep', 'engine', 'output', 'experiment'] as const;

/**
 * `sweep:` grid over dotted config keys, e.g. `{ seed: [1, 2, 3], "finetune.mode": [frozen, full] }`: every
 * combination is one sweep point with its own resolved config, hash and run directory (src/plan/expandSweep.ts).
 */
export const sweepSchema = z.record(
  z.string().min(1),
  z.array(z.unknown()).min(1, 'a sweep key needs at least one value'),
);

const configObjectSchema = z
  .object({
    /** Experiment name: results go to `<output.root>/<experiment>/<run-id>/`. */
    experiment: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-" only')
      .default('default'),
    /** Master seed; every random stream derives from it. */
    seed: z.number().int().default(1),
    data: dataSourceSchema,
    preprocessing: preprocessingSchema.default(preprocessingSchema.parse({})),
    transformations: transformationsSchema.default(transformationsSchema.parse({})),
    model: modelSchema.default(modelSchema.parse({})),
    pretrain: pretrainSchema.default(pretrainSchema.parse({})),
    finetune: finetuneSchema.default(finetuneSchema.parse({})),
    evaluation: evaluationSchema.default(evaluationSchema.parse({})),
    engine: engineSchema.default(engineSchema.parse({})),
    output: z
      .object({
        root: z.string().default('results'),
        /** Where prepared window stores are cached (keyed by the data + preprocessing hash). */
        cacheDir: z.string().default('data/cache'),
      })
      .strict()
      .default({ root: 'results', cacheDir: 'data/cache' }),
    /** Optional grid over dotted config keys (see {@link sweepSchema}); `ecgssl plan` expands it. */
    sweep: sweepSchema.optional(),
  })
  .strict();

/**
 * The config schema: {@link configObjectSchema} plus the sweep checks: every sweep key must name an existing
 * config key outside `sweep`, `engine`, `output` and `experiment`; values of a key must be distinct, and each value
 * alone must give a valid config (the combinations are checked again when the sweep is expanded).
 */
export const configSchema = configObjectSchema.superRefine((cfg, ctx) => {
  const sweep = cfg.sweep;
  if (!sweep) return;
  for (const [key, values] of Object.entries(sweep)) {
    if (!SWEEP_KEY_PATTERN.test(key)) {
      ctx.addIssue({
        code: 'custom',
        path: ['sweep', key],
        message: `sweep key "${key}" is not a dotted config key such as "seed" or "finetune.mode"`,
      });
      continue;
    }
    const path = key.split('.');
    const root = path[0] ?? '';
    if ((SWEEP_FORBIDDEN_ROOTS as readonly string[]).includes(root)) {
      ctx.addIssue({
        code: 'custom',
        path: ['sweep', key],
        message: `sweep key "${key}": "${root}" cannot be swept (it does not change what a run computes, or is not a setting)`,
      });
      continue;
    }
    if (!schemaAt(configObjectSchema, path)) {
      ctx.addIssue({
        code: 'custom',
        path: ['sweep', key],
        message: `sweep key "${key}" is not a config key`,
      });
      continue;
    }
    const seen = new Set<string>();
    values.forEach((value, i) => {
      const text = JSON.stringify(value);
      if (seen.has(text))
        ctx.addIssue({
          code: 'custom',
          path: ['sweep', key, i],
          message: `sweep key "${key}": value ${text} is repeated`,
        });
      seen.add(text);
      const point = setAtPath(structuredClone({ ...cfg, sweep: undefined }), path, value);
      const r = configObjectSchema.safeParse(point);
      if (!r.success) {
        const issue = r.error.issues[0];
        const where = issue ? issue.path.map(String).join('.') : key;
        ctx.addIssue({
          code: 'custom',
          path: ['sweep', key, i],
          message: `sweep key "${key}": value ${text} is invalid (${where}: ${issue?.message ?? 'invalid'})`,
        });
      }
    });
  }
});

/** Sets `value` at `path` in a plain object tree (creating objects, or list slots for numeric segments). */
export function setAtPath<T extends object>(root: T, path: readonly string[], value: unknown): T {
  let node = root as Record<string, unknown>;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    let child = node[key];
    if (child === null || typeof child !== 'object') {
      child = /^\d+$/.test(path[i + 1] ?? '') ? [] : {};
      node[key] = child;
    }
    node = child as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
  return root;
}

/** A fully resolved experiment configuration (all defaults filled in). */
export type Config = z.infer<typeof configSchema>;
export type DataSource = z.infer<typeof dataSourceSchema>;
export type PreprocessingConfig = z.infer<typeof preprocessingSchema>;
export type TransformationsConfig = z.infer<typeof transformationsSchema>;
export type ModelConfig = z.infer<typeof modelSchema>;
export type PretrainConfig = z.infer<typeof pretrainSchema>;
export type FinetuneConfig = z.infer<typeof finetuneSchema>;
export type EvaluationConfig = z.infer<typeof evaluationSchema>;
export type SweepConfig = z.infer<typeof sweepSchema>;
