/** The AMIGOS reader's `data` options, default dense head and label threshold (zod only: config/ imports it). */
import { z } from 'zod';
import {
  labelsOption,
  leadOption,
  rootOption,
  subjectsOption,
  tasksOption,
  type ReaderOptions,
} from '../sourceFields.js';

/** Self-assessment scores 1-9: score > 5 = high (METHOD §5; the paper does not publish its rule). */
export const AMIGOS_LABEL_THRESHOLD = 5;

/** `data` of `kind: amigos`. */
export const amigosSourceSchema = z
  .object({
    kind: z.literal('amigos'),
    root: rootOption,
    /** 0 = ECG right (default), 1 = ECG left (or their names). */
    lead: leadOption,
    labels: labelsOption(AMIGOS_LABEL_THRESHOLD),
    /** Default arousal, valence; dominance and liking also offered. */
    tasks: tasksOption,
    /**
     * Read `Data_Preprocessed_Pxx.mat` (128 Hz) or `Data_Original_Pxx.mat` (256 Hz); `auto`: the original files when
     * every participant has one (the authors' rate), else the preprocessed ones, with a log line saying so.
     */
    amigosSource: z.enum(['preprocessed', 'original', 'auto']).default('preprocessed'),
    /** Which trials (0-based; 0-15 short videos, 16-19 long). Default: all present. */
    trials: z.array(z.number().int().nonnegative()).optional(),
    subjects: subjectsOption,
  })
  .strict();

export type AmigosSource = z.infer<typeof amigosSourceSchema>;

/** AMIGOS: 3 x dense 512, dropout 0.4 (METHOD §4). */
export const amigosOptions: ReaderOptions<typeof amigosSourceSchema> = {
  schema: amigosSourceSchema,
  headShape: { layers: 3, dropout: 0.4, l2: 0 },
  labelThreshold: AMIGOS_LABEL_THRESHOLD,
};
