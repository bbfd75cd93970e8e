// Walks the zod config schema: the sub-schema at a dotted path, an object's keys (for --set, sweep keys).
import type { z } from 'zod';

type AnySchema = z.ZodType;
interface Def {
  type: string;
  shape?: Record<string, AnySchema>;
  innerType?: AnySchema;
  element?: AnySchema;
  options?: AnySchema[];
  in?: AnySchema;
  discriminator?: string;
  values?: unknown[];
}

function defOf(schema: AnySchema): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Strips default/optional/nullable/readonly/pipe wrappers. */
export function unwrapSchema(schema: AnySchema): AnySchema {
  let s = schema;
  for (let i = 0; i < 20; i++) {
    const def = defOf(s);
    if (
      (def.type === 'default' ||
        def.type === 'optional' ||
        def.type === 'nullable' ||
        def.type === 'readonly' ||
        def.type === 'prefault' ||
        def.type === 'catch') &&
      def.innerType
    ) {
      s = def.innerType;
    } else if (def.type === 'pipe' && def.in) {
      s = def.in;
    } else {
      return s;
    }
  }
  return s;
}

/**
 * Keys of an object schema (after unwrapping), or undefined when `schema` is not an object. A union of objects
 * (the `data` section: one object per reader kind) gives the keys of all its options, in first-seen order.
 */
export function objectKeys(schema: AnySchema): string[] | undefined {
  const def = defOf(unwrapSchema(schema));
  if (def.type === 'object' && def.shape) return Object.keys(def.shape);
  if (def.type !== 'union' || !def.options) return undefined;
  const keys = def.options.map(objectKeys);
  if (keys.some((k) => k === undefined)) return undefined;
  return [...new Set(keys.flat() as string[])];
}

/** The discriminator of a discriminated union (e.g. `kind`), or undefined for other schemas. */
export function unionDiscriminator(schema: AnySchema): string | undefined {
  const def = defOf(unwrapSchema(schema));
  return def.type === 'union' ? def.discriminator : undefined;
}

/** The option of a discriminated union whose discriminator literal is `value`, or undefined. */
export function unionOption(schema: AnySchema, value: unknown): AnySchema | undefined {
  const def = defOf(unwrapSchema(schema));
  if (def.type !== 'union' || !def.discriminator || !def.options) return undefined;
  const key = def.discriminator;
  return def.options.find((o) => {
    const field = defOf(unwrapSchema(o)).shape?.[key];
    return field !== undefined && (defOf(field).values ?? []).includes(value);
  });
}

/**
 * Like {@link schemaAt}, but a discriminated union is resolved with the discriminator found in `value` (the
 * raw config at the same position), so `data` of `kind: wfdb` gives the wfdb option's schema.
 */
export function schemaAtValue(
  schema: AnySchema,
  path: readonly (string | number)[],
  value: unknown,
): AnySchema | undefined {
  const disc = unionDiscriminator(schema);
  const v = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  const s = disc !== undefined && v ? (unionOption(schema, v[disc]) ?? schema) : schema;
  if (path.length === 0) return s;
  const [head, ...rest] = path;
  const child = schemaAt(s, [head as string | number]);
  return child ? schemaAtValue(child, rest, v?.[String(head)]) : undefined;
}

/**
 * The sub-schema at `path` (object keys; array indices as decimal strings), or undefined when no such path
 * exists in the schema. Unions are searched option by option.
 */
export function schemaAt(schema: AnySchema, path: readonly (string | number)[]): AnySchema | undefined {
  if (path.length === 0) return schema;
  const [head, ...rest] = path;
  const s = unwrapSchema(schema);
  const def = defOf(s);
  if (def.type === 'object' && def.shape) {
    const child = Object.prototype.hasOwnProperty.call(def.shape, String(head))
      ? def.shape[String(head)]
      : undefined;
    return child ? schemaAt(child, rest) : undefined;
  }
  if (def.type === 'array' && def.element && /^\d+$/.test(String(head))) return schemaAt(def.element, rest);
  if (def.type === 'union' && def.options) {
    for (const option of def.options) {
      const found = schemaAt(option, path);
      if (found) return found;
    }
  }
  return undefined;
}
