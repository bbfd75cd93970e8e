// Fold unit files: `<run dir>/units/f<k>-<fraction>.json`, the persisted fits of one fold x label fraction.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FoldResult } from './fitFold.js';
import { fractionSlug, labelFraction, type LabelFraction } from './labelFraction.js';

/**
 * One fold unit's file: the fits (every task x arm) of one fold at one label fraction, rewritten atomically as each
 * fit ends (`complete` once all are in). The finetune stage and the evaluate stage share the 100 % units.
 */
export interface FoldUnitFile {
  /** `f<fold>-<fraction slug>`, e.g. `f3-100pct`. */
  unit: string;
  /** Full config hash of the run: a file of another config is never reused. */
  configHash: string;
  /** {@link encoderFingerprint} of the pretrained encoder the fits used: a re-pretrained encoder redoes them. */
  encoder: string;
  fold: number;
  fraction: LabelFraction;
  dataset: string;
  /** The store's tasks (sorted) and the arms trained for each. */
  tasks: string[];
  arms: string[];
  sslMode: 'frozen' | 'full';
  /** Whether `folds` holds every task x arm. */
  complete: boolean;
  /** The fits' results, in task then arm order. */
  folds: FoldResult[];
  updatedAt: string;
}

/** A fold unit's name: `f3-100pct`, `f0-12_5pct` (fractions in canonical form, so `1.0%` is `1%`). */
export function foldUnitName(fold: number, fraction: string): string {
  return `f${fold}-${fractionSlug(labelFraction(fraction).label)}`;
}

/** A fold unit's file, relative to the run directory: `units/<name>.json`. */
export function foldUnitRel(fold: number, fraction: string): string {
  return join('units', `${foldUnitName(fold, fraction)}.json`);
}

/** Identity of a saved encoder: the first 16 hex characters of the SHA-256 of its model.json and weights.bin. */
export function encoderFingerprint(encoderDir: string): string {
  const h = createHash('sha256');
  for (const f of ['model.json', 'weights.bin']) {
    const p = join(encoderDir, f);
    if (existsSync(p)) h.update(f).update(readFileSync(p));
  }
  return h.digest('hex').slice(0, 16);
}

/**
 * Reads a fold unit file; undefined when it is missing, unreadable, of another config hash, or (when `encoder` is
 * given) made with another encoder. Partial units (`complete: false`) are returned too.
 */
export function readFoldUnit(path: string, configHash: string, encoder?: string): FoldUnitFile | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as FoldUnitFile;
    if (v.configHash !== configHash || !Array.isArray(v.folds)) return undefined;
    return encoder === undefined || v.encoder === encoder ? v : undefined;
  } catch {
    return undefined;
  }
}
