import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { configJsonSchema, configJsonSchemaText } from '../../src/config/jsonSchema.js';

test('configs/ecgssl.schema.json is up to date (regenerate: npm run build && node scripts/gen-schema.mjs)', () => {
  // Compared as JSON, so that reformatting the file (prettier) does not matter.
  const committed: unknown = JSON.parse(readFileSync('configs/ecgssl.schema.json', 'utf8'));
  assert.deepEqual(committed, JSON.parse(configJsonSchemaText()));
});

test('the JSON schema is strict and knows the sections', () => {
  const s = configJsonSchema() as {
    properties: Record<string, { properties?: Record<string, unknown> }>;
    required: string[];
    additionalProperties: unknown;
  };
  assert.equal(s.additionalProperties, false);
  assert.deepEqual(s.required, ['data']);
  for (const key of ['data', 'preprocessing', 'pretrain', 'finetune', 'evaluation', 'model', 'engine']) {
    assert.ok(key in s.properties, key);
  }
  assert.ok('epochs' in (s.properties.pretrain?.properties ?? {}));
});
