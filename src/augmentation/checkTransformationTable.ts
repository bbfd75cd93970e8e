// Validation of a transformation table (names, weights, parameter defaults) with errors naming the bad entry.
import { InternalError } from '../errors.js';
import type { TransformationTable } from './types.js';

/** Most entries a table may have: the pretext class of a sample is stored in a byte. */
export const MAX_TRANSFORMATIONS = 255;

const NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/**
 * Throws an {@link InternalError} (the table is code, not config) naming `fn` and the bad entry unless `table`
 * has 1..255 entries with unique names of letters and digits (they become history columns and config keys), an
 * `apply` function, a finite non-negative `defaultLossWeight`, and a `paramsSchema` (if any) whose every field
 * has a default.
 */
export function checkTransformationTable(table: TransformationTable, fn: string): void {
  if (table.length < 1 || table.length > MAX_TRANSFORMATIONS)
    throw new InternalError(
      `${fn}: a transformation table needs 1..${MAX_TRANSFORMATIONS} entries, got ${table.length}`,
    );
  const seen = new Set<string>();
  table.forEach((t, i) => {
    const what = `${fn}: transformation ${i} (${JSON.stringify(t.name)})`;
    if (typeof t.name !== 'string' || !NAME.test(t.name))
      throw new InternalError(`${what}: the name must be letters and digits, starting with a letter`);
    if (seen.has(t.name)) throw new InternalError(`${what}: the name is used twice`);
    seen.add(t.name);
    if (typeof t.apply !== 'function') throw new InternalError(`${what}: apply is not a function`);
    if (!(Number.isFinite(t.defaultLossWeight) && t.defaultLossWeight >= 0))
      throw new InternalError(
        `${what}: defaultLossWeight must be finite and >= 0, got ${t.defaultLossWeight}`,
      );
    if (t.paramsSchema && !t.paramsSchema.safeParse({}).success)
      throw new InternalError(`${what}: every field of paramsSchema needs a default`);
  });
}
