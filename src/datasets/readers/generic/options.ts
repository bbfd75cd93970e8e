/** The generic reader's `data` options, default dense head and label threshold (zod only: config/ imports it). */
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

/** Numeric labels.csv columns other than 0/1 (e.g. 1-9 self-assessment scores): value > 5 = 1. */
export const GENERIC_LABEL_THRESHOLD = 5;

/** `data` of `kind: generic`. */
export const genericSourceSchema = z
  .object({
    kind: z.literal('generic'),
    root: rootOption,
    /** Channel index (any file) or name (.csv header, EDF label); default 0. */
    lead: leadOption,
    /** Rate of files that do not store it (.npy, .csv) when labels.csv has no samplingRateHz column. */
    samplingRateHz: samplingRateOption,
    labels: labelsOption(GENERIC_LABEL_THRESHOLD),
    /** labels.csv columns to use; default: all. */
    tasks: tasksOption,
    subjects: subjectsOption,
  })
  .strict();

export type GenericSource = z.infer<typeof genericSourceSchema>;

/** Own data: 2 x dense 512, no dropout. */
export const genericOptions: ReaderOptions<typeof genericSourceSchema> = {
  schema: genericSourceSchema,
  headShape: DEFAULT_HEAD_SHAPE,
  labelThreshold: GENERIC_LABEL_THRESHOLD,
};
