/** Config options the data-set readers share, and the shape of a reader's defaults (zod only: config/ imports it). */
import { z } from 'zod';

/** Binarisation of a 1-9 self-assessment score: a fixed threshold (score > t = high) or a per-subject statistic. */
export const labelThresholdSchema = z.union([z.number(), z.enum(['mean', 'median'])]);
export type LabelThreshold = z.infer<typeof labelThresholdSchema>;

/** Dense-head shape of the emotion classifier when the finetune config leaves it unset (METHOD §4). */
export interface HeadShape {
  layers: number;
  dropout: number;
  l2: number;
}

/** SWELL, WESAD and every reader without its own: 2 x 512, no dropout, no L2 (METHOD §4). */
export const DEFAULT_HEAD_SHAPE: Readonly<HeadShape> = { layers: 2, dropout: 0, l2: 0 };

/** Folder holding the dataset (relative paths resolve against the working directory). */
export const rootOption = z.string().min(1);

/** ECG lead: a 0-based channel index or a channel name. */
export const leadOption = z.union([z.number().int().nonnegative(), z.string()]).optional();

/**
 * Sampling rate of the recordings in Hz, for formats that do not store it (.npy, .csv without a rate column).
 * No schema default: a reader that cannot find the rate fails with an error asking for this key.
 */
export const samplingRateOption = z.number().positive().optional();

/**
 * How scores become labels: `threshold` (binary: score > `labels.threshold` = 1) or `classes` (each rounded score is
 * its own class, as the authors' code does; SWELL stress: N / T / I).
 */
export const labelSchemeSchema = z.enum(['threshold', 'classes']);
export type LabelScheme = z.infer<typeof labelSchemeSchema>;

/**
 * `data.labels`: the scheme (default `threshold`) and the threshold (`threshold`: a number t, score > t = 1; or a
 * per-subject `mean` / `median`).
 */
export function labelsOption(threshold: LabelThreshold) {
  return z
    .object({
      threshold: labelThresholdSchema.default(threshold),
      scheme: labelSchemeSchema.default('threshold'),
    })
    .strict()
    .default({ threshold, scheme: 'threshold' });
}

/**
 * `data.labelsFile`: a CSV of labelled intervals (`subject,recording,startS,endS`, then one column per task) that
 * labels the recordings of any reader; common to every kind (src/datasets/labels/README.md).
 */
export const labelsFileOption = z.string().min(1).optional();

/** The `data` options every kind accepts besides its own (the registry adds them to each reader's schema). */
export const COMMON_DATA_OPTIONS = { labelsFile: labelsFileOption };

/** Which label tasks to use; default: the reader's own. */
export const tasksOption = z.array(z.string().min(1)).optional();

/** Subjects to use (ids as the reader names them); default: all. */
export const subjectsOption = z.array(z.string()).optional();

/**
 * What a reader folder's `options.ts` declares: the `data` schema of its kind (a strict object whose `kind` is a
 * literal), the dense-head shape it defaults to and its default label threshold (undefined: unlabelled data).
 */
export interface ReaderOptions<S extends z.ZodObject = z.ZodObject> {
  schema: S;
  headShape: Readonly<HeadShape>;
  labelThreshold: LabelThreshold | undefined;
}
