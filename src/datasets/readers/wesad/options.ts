/** The WESAD reader's `data` options and default dense head; labels are conditions (zod only: config/ imports it). */
import { z } from 'zod';
import {
  DEFAULT_HEAD_SHAPE,
  rootOption,
  subjectsOption,
  tasksOption,
  type ReaderOptions,
} from '../sourceFields.js';

/** `data` of `kind: wesad` (chest ECG, one lead: no `lead`; labels from the protocol, so no threshold). */
export const wesadSourceSchema = z
  .object({
    kind: z.literal('wesad'),
    /** Folder holding `S<k>/S<k>.pkl` (searched up to two folders deep). */
    root: rootOption,
    /** Default affect (baseline / stress / amusement) and stress (stress vs baseline + amusement). */
    tasks: tasksOption,
    /** Also yield the meditation periods, unlabelled (pretraining windows only). */
    meditation: z.boolean().default(true),
    subjects: subjectsOption,
  })
  .strict();

export type WesadSource = z.infer<typeof wesadSourceSchema>;

/** WESAD: 2 x dense 512, no dropout (METHOD §4); classes come from the protocol, no threshold. */
export const wesadOptions: ReaderOptions<typeof wesadSourceSchema> = {
  schema: wesadSourceSchema,
  headShape: DEFAULT_HEAD_SHAPE,
  labelThreshold: undefined,
};
