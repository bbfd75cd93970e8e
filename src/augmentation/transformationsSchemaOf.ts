// The zod schema of the config's `transformations` section, built from a transformation table.
import { z } from 'zod';
import { checkTransformationTable } from './checkTransformationTable.js';
import type { TransformationTable } from './types.js';

/** One key per entry of `T` that has a `paramsSchema`: its name -> its schema with all defaults. */
export type TransformationsShape<T extends TransformationTable> = {
  [E in T[number] as E extends { paramsSchema: z.ZodObject } ? E['name'] : never]: E extends {
    paramsSchema: infer S extends z.ZodObject;
  }
    ? z.ZodDefault<S>
    : never;
};

/**
 * The strict zod object of the parameters of `table`'s transformations: one key per entry with a `paramsSchema`
 * (its name), in table order, defaulting to the schema's defaults. Entries without parameters have no key. The
 * static type keeps each entry's parameter type when the entries are declared `satisfies Transformation` (an
 * annotation `: Transformation` widens them).
 */
export function transformationsSchemaOf<const T extends TransformationTable>(
  table: T,
): z.ZodObject<TransformationsShape<T>, z.core.$strict> {
  checkTransformationTable(table, 'transformationsSchemaOf');
  const shape: Record<string, z.ZodType> = {};
  for (const t of table) {
    if (t.paramsSchema) shape[t.name] = t.paramsSchema.default(t.paramsSchema.parse({}));
  }
  // The shape is built at run time; its static type is TransformationsShape<T> by construction.
  return z.object(shape).strict() as unknown as z.ZodObject<TransformationsShape<T>, z.core.$strict>;
}
