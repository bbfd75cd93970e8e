/** The SWELL-KW reader's `data` options, default dense head and label threshold (zod only: config/ imports it). */
import { z } from 'zod';
import {
  DEFAULT_HEAD_SHAPE,
  labelsOption,
  leadOption,
  rootOption,
  samplingRateOption,
  subjectsOption,
  tasksOption,
  type ReaderOptions,
} from '../sourceFields.js';

/** SAM arousal/valence scores: mean over a block > 5 = high; stress comes from the condition (N vs T/I). */
export const SWELL_LABEL_THRESHOLD = 5;

/** `data` of `kind: swell`. */
export const swellSourceSchema = z
  .object({
    kind: z.literal('swell'),
    root: rootOption,
    /** Poly5 channel (index or name; default 7, the ECG), or the column of multi-column text files. */
    lead: leadOption,
    /** Rate of the "Mobi signals text" export, which stores none; default SWELL's 2048 Hz. */
    samplingRateHz: samplingRateOption,
    labels: labelsOption(SWELL_LABEL_THRESHOLD),
    /** Default stress, arousal, valence. */
    tasks: tasksOption,
    subjects: subjectsOption,
  })
  .strict();

export type SwellSource = z.infer<typeof swellSourceSchema>;

/** SWELL: 2 x dense 512, no dropout (METHOD §4). */
export const swellOptions: ReaderOptions<typeof swellSourceSchema> = {
  schema: swellSourceSchema,
  headShape: DEFAULT_HEAD_SHAPE,
  labelThreshold: SWELL_LABEL_THRESHOLD,
};
