import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Rng } from '../../src/random/types.js';

/** scipy reference vectors (copied from ../shared/fixtures); a missing folder fails loudly. */
export const FIXTURES = 'test/fixtures/scipy';

export function loadFixture<T = Record<string, unknown>>(name: string): T {
  const p = join(FIXTURES, name);
  if (!existsSync(p)) throw new Error(`fixture ${p} is missing: the scipy reference vectors must be present`);
  return JSON.parse(readFileSync(p, 'utf8')) as T;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

export function std(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] as number;
  const m = s / x.length;
  let v = 0;
  for (let i = 0; i < x.length; i++) v += ((x[i] as number) - m) ** 2;
  return Math.sqrt(v / x.length);
}

/** An Rng that replays given draws (the fixtures list them) and fails on any unexpected call. */
export function replayRng(d: {
  normals?: number[];
  permutation?: number[];
  sample?: number[];
  ints?: number[];
}): Rng & { remaining(): number } {
  let ni = 0;
  const ints = [...(d.ints ?? [])];
  const perm = d.permutation ? [d.permutation] : [];
  const samp = d.sample ? [d.sample] : [];
  return {
    uniform: () => {
      throw new Error('replayRng: unexpected uniform()');
    },
    normal: () => {
      const v = d.normals?.[ni++];
      if (v === undefined) throw new Error('replayRng: normals exhausted');
      return v;
    },
    int: (lo, hi) => {
      const v = ints.shift();
      if (v === undefined || v < lo || v >= hi) throw new Error(`replayRng: int(${lo}, ${hi}) got ${v}`);
      return v;
    },
    permutation: (n) => {
      const p = perm.shift();
      if (!p || p.length !== n) throw new Error(`replayRng: unexpected permutation(${n})`);
      return [...p];
    },
    sample: (n, k) => {
      const s = samp.shift();
      if (!s || s.length !== k) throw new Error(`replayRng: unexpected sample(${n}, ${k})`);
      return [...s];
    },
    getState: () => [],
    setState: () => undefined,
    remaining: () => (d.normals?.length ?? 0) - ni + ints.length + perm.length + samp.length,
  };
}
