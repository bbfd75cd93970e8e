// Public API of the config: loading with overrides, the hash, the JSON schema, schema paths.
export { loadConfig, resolveConfig, parseSetOverride, applyOverride, resolvedYaml } from './load.js';
export type { LoadedConfig, LoadConfigArgs, ConfigOverride } from './load.js';
export { configHash, RUN_ID_LENGTH } from './hash.js';
export { configJsonSchema, configJsonSchemaText } from './jsonSchema.js';
export { schemaAt, objectKeys } from './schemaPath.js';
