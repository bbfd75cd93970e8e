// Types of a plan: task stages, sweep points, units of work.
import type { LoadedConfig } from '../config/load.js';

/** The stages a plan's units of work belong to, in dependency order. */
export const TASK_STAGES = ['prepare', 'pretrain', 'finetune', 'evaluate'] as const;
export type TaskStage = (typeof TASK_STAGES)[number];

/** One point of a sweep grid: its own resolved config, hash and run directory. */
export interface SweepPoint {
  /** 0-based position in the grid (last sweep key varies fastest). */
  index: number;
  /** `p<index>`: the prefix of its task ids. */
  id: string;
  /** The swept keys and their values at this point (empty without a sweep). */
  assignments: Record<string, unknown>;
  /** The point's resolved config (no `sweep` block), its hash and YAML. */
  loaded: LoadedConfig;
  /** Run id: the first 12 hex characters of the point's config hash. */
  runId: string;
}

/** One unit of work of a plan. */
export interface PlanTask {
  /** 0-based position in the plan: the job-array index. */
  index: number;
  /** Stable id, e.g. `p0-prepare`, `p1-pretrain-f3` (scope fold) or `p1-pretrain` (scope all), `p0-finetune-f3`, `p0-evaluate-f3-1pct`. */
  id: string;
  stage: TaskStage;
  /** Index of the sweep point whose run directory the unit writes (prepare: the first point using it). */
  point: number;
  /** Fold (pretrain scope fold, finetune, evaluate); null otherwise. */
  fold: number | null;
  /** Label fraction (evaluate), e.g. `1%`; null otherwise. */
  labelFraction: string | null;
  /** Ids of the units that must be done first (direct dependencies). */
  dependsOn: string[];
}

/** A plan: the sweep points and their units of work in a deterministic order (dependencies first). */
export interface Plan {
  /** The config file the plan came from ('' when none). */
  configPath: string;
  points: SweepPoint[];
  tasks: PlanTask[];
}
