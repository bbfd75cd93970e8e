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

/** Keys of an object schema (after unwrapping), or undefined when `schema` is not an object. */
export function objectKeys(schema: AnySchema): string[] | undefined {
  const def = defOf(unwrapSchema(schema));
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : undefined;
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
