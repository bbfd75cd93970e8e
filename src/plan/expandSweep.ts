// expandSweep: a config's `sweep:` grid expanded into validated sweep points, each with its hash and run id.
import { configHash, RUN_ID_LENGTH } from '../config/hash.js';
import { resolvedYaml } from '../config/load.js';
import { configSchema, setAtPath, type Config } from '../config/schema.js';
import { UserError } from '../errors.js';
import { formatAssignments } from './formatAssignments.js';
import type { SweepPoint } from './types.js';

/**
 * Expands the config's `sweep:` grid (dotted config keys -> lists of values) into its points, in grid order: keys
 * in the order the YAML lists them, the last key varying fastest. Each point is the config without `sweep` with
 * the point's values set, validated again (defaults filled in), with its own hash and run id; without a sweep the
 * single point `p0` is the config itself (same hash as the config without its `sweep` block). Throws a
 * {@link UserError} naming the key and value when a combination is invalid or two points resolve to the same config.
 */
export function expandSweep(config: Config, configPath = ''): SweepPoint[] {
  const sweep = config.sweep ?? {};
  const keys = Object.keys(sweep);
  const { sweep: _sweep, ...base } = config;
  const combos: Record<string, unknown>[] = [{}];
  for (const key of keys) {
    const values = sweep[key] ?? [];
    if (values.length === 0) throw new UserError(`expandSweep: sweep key "${key}" has no values`);
    const next: Record<string, unknown>[] = [];
    for (const c of combos) for (const v of values) next.push({ ...c, [key]: v });
    combos.splice(0, combos.length, ...next);
  }
  const byHash = new Map<string, number>();
  return combos.map((assignments, index) => {
    const raw = structuredClone(base) as Record<string, unknown>;
    for (const [key, value] of Object.entries(assignments))
      setAtPath(raw, key.split('.'), structuredClone(value));
    const parsed = configSchema.safeParse(raw);
    const what = formatAssignments(assignments, ', ');
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? issue.path.map(String).join('.') : '';
      throw new UserError(
        `expandSweep: sweep point p${index} (${what}) is invalid: ${where}: ${issue?.message ?? 'invalid'}`,
      );
    }
    const pointConfig = parsed.data;
    const hash = configHash(pointConfig);
    const twin = byHash.get(hash);
    if (twin !== undefined)
      throw new UserError(
        `expandSweep: sweep points p${twin} and p${index} (${what}) resolve to the same config (hash ${hash.slice(0, RUN_ID_LENGTH)}); remove the duplicate value`,
      );
    byHash.set(hash, index);
    return {
      index,
      id: `p${index}`,
      assignments,
      loaded: { config: pointConfig, hash, path: configPath, yamlText: resolvedYaml(pointConfig) },
      runId: hash.slice(0, RUN_ID_LENGTH),
    };
  });
}
