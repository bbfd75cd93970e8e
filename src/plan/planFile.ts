// Plan files (`<experiment>/plans/<id>.json`): their id, contents, atomic write, read-back and discovery.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { configHash, RUN_ID_LENGTH } from '../config/hash.js';
import { resolvedYaml } from '../config/load.js';
import { configSchema } from '../config/schema.js';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../results/atomic.js';
import { hashCanonical } from '../util/canonical.js';
import type { Plan, PlanTask } from './types.js';

/** `<output.root>/<experiment>/plans/<plan id>.json`: what `ecgssl merge` needs to find a plan's units. */
export interface PlanFile {
  version: 1;
  planId: string;
  configPath: string;
  experiment: string;
  points: {
    id: string;
    runId: string;
    hash: string;
    assignments: Record<string, unknown>;
    config: unknown;
  }[];
  tasks: PlanTask[];
}

/** Id of a plan: 12 hex characters of the hash of its points' config hashes and its tasks. */
export function planId(plan: Plan): string {
  return hashCanonical({ points: plan.points.map((p) => p.loaded.hash), tasks: plan.tasks }).slice(
    0,
    RUN_ID_LENGTH,
  );
}

/** The experiment folder of a plan (all its points share output.root and experiment: a sweep cannot vary them). */
export function experimentDir(plan: Plan): string {
  const c = plan.points[0]!.loaded.config;
  return resolve(c.output.root, c.experiment);
}

/** The plan file's contents (deterministic: no time stamps, so concurrent writers write the same bytes). */
export function planFileContents(plan: Plan): PlanFile {
  return {
    version: 1,
    planId: planId(plan),
    configPath: plan.configPath ? resolve(plan.configPath) : '',
    experiment: plan.points[0]!.loaded.config.experiment,
    points: plan.points.map((p) => ({
      id: p.id,
      runId: p.runId,
      hash: p.loaded.hash,
      assignments: p.assignments,
      config: p.loaded.config,
    })),
    tasks: plan.tasks,
  };
}

/** Writes the plan file atomically under `<experiment dir>/plans/` and returns its path. */
export async function writePlanFile(plan: Plan): Promise<string> {
  const body = planFileContents(plan);
  const path = join(experimentDir(plan), 'plans', `${body.planId}.json`);
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, JSON.stringify(body, null, 2) + '\n');
  return path;
}

/** Reads a plan file back into a {@link Plan} (each point's config validated again and its hash checked). */
export function readPlanFile(path: string): Plan {
  let body: PlanFile;
  try {
    body = JSON.parse(readFileSync(path, 'utf8')) as PlanFile;
  } catch (err) {
    throw new UserError(`readPlanFile: ${path} is not valid JSON (${(err as Error).message})`);
  }
  if (body.version !== 1 || !Array.isArray(body.points) || !Array.isArray(body.tasks))
    throw new UserError(`readPlanFile: ${path} is not an ecgssl plan file (version ${String(body.version)})`);
  const points = body.points.map((p, index) => {
    const parsed = configSchema.safeParse(p.config);
    if (!parsed.success)
      throw new UserError(
        `readPlanFile: ${path}: the config of point ${p.id} is invalid (${parsed.error.issues[0]?.message})`,
      );
    const hash = configHash(parsed.data);
    if (hash !== p.hash)
      throw new UserError(
        `readPlanFile: ${path}: point ${p.id} has config hash ${hash.slice(0, RUN_ID_LENGTH)}, recorded ${p.hash.slice(0, RUN_ID_LENGTH)} (made by another ecgssl version?)`,
      );
    return {
      index,
      id: p.id,
      assignments: p.assignments,
      runId: p.runId,
      loaded: { config: parsed.data, hash, path: body.configPath, yamlText: resolvedYaml(parsed.data) },
    };
  });
  return { configPath: body.configPath, points, tasks: body.tasks };
}

/**
 * Plan files under a results folder: `<dir>/plans/*.json` (an experiment folder), else `<dir>/*\/plans/*.json`
 * (an output root), sorted.
 */
export function findPlanFiles(dir: string): string[] {
  const inDir = (d: string): string[] => {
    const p = join(d, 'plans');
    if (!existsSync(p) || !statSync(p).isDirectory()) return [];
    return readdirSync(p)
      .filter((n) => n.endsWith('.json'))
      .sort()
      .map((n) => join(p, n));
  };
  const own = inDir(dir);
  if (own.length > 0) return own;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .sort()
    .filter((n) => statSync(join(dir, n)).isDirectory())
    .flatMap((n) => inDir(join(dir, n)));
}
