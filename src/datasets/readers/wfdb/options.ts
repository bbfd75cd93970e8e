/** The WFDB reader's `data` options and default dense head; unlabelled (zod only: config/ imports it). */
import { z } from 'zod';
import {
  DEFAULT_HEAD_SHAPE,
  leadOption,
  rootOption,
  subjectsOption,
  type ReaderOptions,
} from '../sourceFields.js';

/** `data` of `kind: wfdb` (PhysioNet records; no labels, so no `labels` or `tasks`). */
export const wfdbSourceSchema = z
  .object({
    kind: z.literal('wfdb'),
    root: rootOption,
    /** Signal index or description (e.g. `MLII`); default 0. */
    lead: leadOption,
    /** Record names (without extension) under `root`; default: every `.hea` file. */
    records: z.array(z.string()).optional(),
    subjects: subjectsOption,
  })
  .strict();

export type WfdbSource = z.infer<typeof wfdbSourceSchema>;

/** Unlabelled pretraining data: the default head; no label threshold. */
export const wfdbOptions: ReaderOptions<typeof wfdbSourceSchema> = {
  schema: wfdbSourceSchema,
  headShape: DEFAULT_HEAD_SHAPE,
  labelThreshold: undefined,
};
