// The config's JSON schema (configs/ecgssl.schema.json), generated from the zod schema.
import { z } from 'zod';
import { configSchema } from './schema.js';

/**
 * The JSON Schema (draft 2020-12) of the YAML config, generated from the zod schema: the input side, so keys
 * with defaults are optional. Committed as configs/ecgssl.schema.json (`node scripts/gen-schema.mjs`) for
 * editor completion and validation (`# yaml-language-server: $schema=./ecgssl.schema.json`).
 */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;
  return { ...schema, title: 'ecgssl experiment configuration' };
}

/** {@link configJsonSchema} as the exact text of configs/ecgssl.schema.json. */
export function configJsonSchemaText(): string {
  return JSON.stringify(configJsonSchema(), null, 2) + '\n';
}
