#!/usr/bin/env node
// Writes configs/ecgssl.schema.json (the JSON Schema of the YAML config, generated from the zod schema in
// src/config/schema.ts). Run after `npm run build`; test/config/jsonSchema.test.ts fails when it is stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const { configJsonSchemaText } = await import('../dist/config/jsonSchema.js');
const out = fileURLToPath(new URL('../configs/ecgssl.schema.json', import.meta.url));
writeFileSync(out, configJsonSchemaText());
console.error(`gen-schema: wrote ${out}`);
