/** The DREAMER reader's `data` options, default dense head and label threshold (zod only: config/ imports it). */
import { z } from 'zod';
import {
  labelsOption,
  leadOption,
  rootOption,
  subjectsOption,
  tasksOption,
  type ReaderOptions,
} from '../sourceFields.js';

/** Self-assessment scores 1-5: score > 3 = high (the scale's midpoint). */
export const DREAMER_LABEL_THRESHOLD = 3;

/** `data` of `kind: dreamer`. */
export const dreamerSourceSchema = z
  .object({
    kind: z.literal('dreamer'),
    /** Folder holding `DREAMER.mat` (searched up to two folders deep). */
    root: rootOption,
    /** ECG channel 0 (default) or 1 of the N x 2 clips. */
    lead: leadOption,
    labels: labelsOption(DREAMER_LABEL_THRESHOLD),
    /** Default arousal, valence, dominance. */
    tasks: tasksOption,
    /** Also yield the 18 baseline clips per subject, unlabelled (pretraining windows only). */
    baselines: z.boolean().default(true),
    subjects: subjectsOption,
  })
  .strict();

export type DreamerSource = z.infer<typeof dreamerSourceSchema>;

/** DREAMER: 3 x dense 512, dropout 0.2, L2 1e-4 (METHOD §4). */
export const dreamerOptions: ReaderOptions<typeof dreamerSourceSchema> = {
  schema: dreamerSourceSchema,
  headShape: { layers: 3, dropout: 0.2, l2: 1e-4 },
  labelThreshold: DREAMER_LABEL_THRESHOLD,
};
