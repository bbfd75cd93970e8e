// Running one fuzz case: builds its mutated input, calls the target, judges the outcome and error text.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { UserError } from '../errors.js';
import { deriveRng } from '../random/index.js';
import type { AllocationGuard } from './allocationGuard.js';
import { FuzzAllocationError } from './allocationGuard.js';
import { mutateInput } from './mutators.js';
import type { CaseResult, FuzzFile, FuzzInput, FuzzTarget } from './types.js';

/** Longest acceptable error message (characters): longer ones echo whole fields or files. */
export const MAX_MESSAGE_CHARS = 1000;

/** Bound on one allocation: `allocFactor` times the case's input bytes, at least `allocFloorBytes`. */
export interface AllocationBound {
  allocFactor: number;
  allocFloorBytes: number;
}

/** Default bound: 64 bytes of allocation per input byte (int16/12-bit samples decode to float64), 4 MiB floor. */
export const DEFAULT_ALLOCATION_BOUND: AllocationBound = { allocFactor: 64, allocFloorBytes: 4 << 20 };

/** A stable 31-bit key of a target name (for deriveRng). */
export function nameKey(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h >>> 1;
}

/**
 * The input of case `caseIndex` of a target: cases 0..corpus.length-1 are the unmutated seeds, later cases a seed
 * (chosen by the case's own Rng stream) with 1 to 3 mutations. Deterministic in (seed, target, caseIndex).
 */
export function caseInput(
  target: FuzzTarget,
  corpus: readonly FuzzInput[],
  seed: number,
  caseIndex: number,
): { files: FuzzFile[]; mutations: string[]; seedLabel: string; pristine: boolean } {
  if (caseIndex < corpus.length) {
    const input = corpus[caseIndex] as FuzzInput;
    return { files: input.files, mutations: [], seedLabel: input.label, pristine: true };
  }
  const rng = deriveRng(seed, nameKey(target.name), caseIndex);
  const input = corpus[rng.int(0, corpus.length)] as FuzzInput;
  const { files, mutations } = mutateInput(input, rng);
  return { files, mutations, seedLabel: input.label, pristine: false };
}

// eslint-disable-next-line no-control-regex -- detecting control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** Why a UserError's text is unacceptable (multi-line, control characters, too long, names no file), or undefined. */
export function judgeMessage(err: UserError, paths: readonly string[]): CaseResult['reason'] | undefined {
  const lines = [err.message, ...err.details];
  if (lines.some((l) => /[\n\r\u2028\u2029]/.test(l))) return 'multi-line';
  if (lines.some((l) => CONTROL.test(l))) return 'control-char';
  if (err.message.length > MAX_MESSAGE_CHARS || err.details.some((l) => l.length > MAX_MESSAGE_CHARS))
    return 'too-long';
  if (!paths.some((p) => err.message.includes(p))) return 'no-path';
  return undefined;
}

/** Folders of a case dir and the file names they were last given (so later cases only overwrite the files). */
const layouts = new Map<string, string>();

/**
 * Writes the case's files under `caseDir`. A target's cases always have the same file names, so the folder is
 * emptied and laid out only when the names change; otherwise each file is overwritten (truncated) in place.
 */
export function writeCaseFiles(caseDir: string, files: readonly FuzzFile[]): string[] {
  const layout = files.map((f) => f.name).join('\u0000');
  if (layouts.get(caseDir) !== layout) {
    rmSync(caseDir, { recursive: true, force: true });
    mkdirSync(caseDir, { recursive: true });
    for (const f of files) mkdirSync(dirname(join(caseDir, ...f.name.split('/'))), { recursive: true });
    layouts.set(caseDir, layout);
  }
  return files.map((f) => {
    const p = join(caseDir, ...f.name.split('/'));
    writeFileSync(p, f.bytes);
    return p;
  });
}

/**
 * Runs one case in this thread: writes the (mutated) input under `caseDir`, calls the target's reader and
 * classifies the outcome: `ok` (parsed and the result passes the target's check), `user-error` (a UserError whose
 * one-line message names a file of the case), anything else a `failure` with its reason.
 */
export async function runCase(args: {
  target: FuzzTarget;
  corpus: readonly FuzzInput[];
  seed: number;
  caseIndex: number;
  caseDir: string;
  guard?: AllocationGuard;
  bound?: AllocationBound;
}): Promise<CaseResult> {
  const { target, caseDir, guard } = args;
  const bound = args.bound ?? DEFAULT_ALLOCATION_BOUND;
  const { files, mutations, seedLabel, pristine } = caseInput(target, args.corpus, args.seed, args.caseIndex);
  const paths = [...writeCaseFiles(caseDir, files), caseDir];
  const inputBytes = files.reduce((a, f) => a + f.bytes.length, 0);
  guard?.reset(Math.max(bound.allocFloorBytes, bound.allocFactor * inputBytes));
  const t0 = performance.now();
  const base = { mutations, seedLabel };
  const done = (
    r: Omit<CaseResult, 'mutations' | 'seedLabel' | 'maxAllocationBytes' | 'ms'>,
  ): CaseResult => ({
    ...r,
    ...base,
    maxAllocationBytes: guard?.maxBytes() ?? 0,
    ms: performance.now() - t0,
  });
  let result: CaseResult;
  try {
    const value = await target.read(caseDir);
    const bad = target.check?.(value);
    result = bad ? done({ kind: 'failure', reason: 'bad-result', message: bad }) : done({ kind: 'ok' });
  } catch (err) {
    const tripped = guard?.tripped() ?? (err instanceof FuzzAllocationError ? err : undefined);
    if (tripped) result = done({ kind: 'failure', reason: 'allocation', message: tripped.message });
    else if (err instanceof UserError) {
      const reason = judgeMessage(err, paths);
      result = reason
        ? done({ kind: 'failure', reason, message: [err.message, ...err.details].join(' | ') })
        : done({ kind: 'user-error', message: err.message });
    } else {
      const e = err instanceof Error ? err : new Error(String(err));
      result = done({
        kind: 'failure',
        reason: 'exception',
        message: `${e.name}: ${e.message}`,
        stack: e.stack ?? '',
      });
    }
  }
  const tripped = guard?.tripped();
  if (tripped && result.kind !== 'failure')
    result = { ...result, kind: 'failure', reason: 'allocation', message: tripped.message };
  if (pristine && result.kind !== 'ok' && result.kind !== 'failure')
    result = { ...result, kind: 'failure', reason: 'seed-rejected' };
  return result;
}
