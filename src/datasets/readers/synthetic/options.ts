/** The synthetic reader's `data` options, default dense head and label threshold (zod only: config/ imports it). */
import { z } from 'zod';
import {
  DEFAULT_HEAD_SHAPE,
  labelsOption,
  rootOption,
  subjectsOption,
  tasksOption,
  type ReaderOptions,
} from '../sourceFields.js';

/** The generated labels are 0/1, so the threshold only applies to labels.csv columns edited by hand. */
export const SYNTHETIC_LABEL_THRESHOLD = 5;

/** Settings of the bundled generator (`data.synthetic`). */
export const syntheticSettingsSchema = z
  .object({
    subjects: z.number().int().positive().default(8),
    recordingsPerSubject: z.number().int().positive().default(4),
    recordingSeconds: z.number().positive().default(120),
    samplingRateHz: z.number().positive().default(256),
    seed: z.number().int().default(7),
  })
  .strict();

/** `data` of `kind: synthetic`: generated into `root` on first use (one lead; labels.csv gives the rate). */
export const syntheticSourceSchema = z
  .object({
    kind: z.literal('synthetic'),
    root: rootOption,
    labels: labelsOption(SYNTHETIC_LABEL_THRESHOLD),
    /** Default: every generated task (arousal, valence, stress). */
    tasks: tasksOption,
    subjects: subjectsOption,
    /** Generator settings; absent: the defaults. */
    synthetic: syntheticSettingsSchema.optional(),
  })
  .strict();

export type SyntheticSource = z.infer<typeof syntheticSourceSchema>;

/** Synthetic ECG: 2 x dense 512, no dropout. */
export const syntheticOptions: ReaderOptions<typeof syntheticSourceSchema> = {
  schema: syntheticSourceSchema,
  headShape: DEFAULT_HEAD_SHAPE,
  labelThreshold: SYNTHETIC_LABEL_THRESHOLD,
};
