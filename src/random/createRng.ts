// The seeded generator (xoshiro128**, Box-Muller normals) and streams derived from a seed plus integer keys.
import { InternalError, UserError } from '../errors.js';
import type { Rng } from './types.js';

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/** SplitMix32-style finaliser: a bijective avalanche of one 32-bit word. */
function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Folds one non-negative safe integer (up to 2^53) into a 32-bit hash state. */
function absorb(h: number, value: number): number {
  const lo = value >>> 0;
  const hi = Math.floor(value / TWO_POW_32) >>> 0;
  h = mix32((h ^ lo) + 0x9e3779b9);
  return mix32((h ^ hi) + 0x7f4a7c15);
}

function checkKey(fn: string, name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0)
    throw new UserError(`${fn}: ${name} must be a non-negative safe integer, got ${String(v)}`);
}

/**
 * xoshiro128** generator with Box-Muller normals. The state (4 words + the cached second normal) is
 * serialisable through getState/setState so that checkpoints resume the exact stream.
 */
class Xoshiro128 implements Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare = 0;
  private hasSpare = 0;

  constructor(words: readonly [number, number, number, number]) {
    [this.s0, this.s1, this.s2, this.s3] = words;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 0x9e3779b9;
  }

  private next32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  uniform(): number {
    const a = this.next32() >>> 5; // 27 bits
    const b = this.next32() >>> 6; // 26 bits
    return (a * 67108864 + b) / TWO_POW_53;
  }

  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = 0;
      return this.spare;
    }
    let u1 = this.uniform();
    while (u1 <= 0) u1 = this.uniform();
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    this.spare = r * Math.sin(theta);
    this.hasSpare = 1;
    return r * Math.cos(theta);
  }

  int(lo: number, hi: number): number {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi <= lo)
      throw new InternalError(`rng.int: need integers lo < hi, got lo=${String(lo)} hi=${String(hi)}`);
    return lo + Math.floor(this.uniform() * (hi - lo));
  }

  permutation(n: number): number[] {
    if (!Number.isSafeInteger(n) || n < 0)
      throw new InternalError(`rng.permutation: n must be a non-negative integer, got ${String(n)}`);
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.uniform() * (i + 1));
      const t = p[i] as number;
      p[i] = p[j] as number;
      p[j] = t;
    }
    return p;
  }

  sample(n: number, k: number): number[] {
    if (!Number.isSafeInteger(n) || !Number.isSafeInteger(k) || k < 0 || k > n)
      throw new InternalError(`rng.sample: need integers 0 <= k <= n, got n=${String(n)} k=${String(k)}`);
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(this.uniform() * (n - i));
      const t = p[i] as number;
      p[i] = p[j] as number;
      p[j] = t;
    }
    return p.slice(0, k).sort((a, b) => a - b);
  }

  getState(): number[] {
    return [this.s0, this.s1, this.s2, this.s3, this.hasSpare, this.spare];
  }

  setState(state: number[]): void {
    if (state.length !== 6 || state.slice(0, 5).some((v) => !Number.isInteger(v)))
      throw new UserError(`rng.setState: expected the 6 numbers of getState(), got ${JSON.stringify(state)}`);
    [this.s0, this.s1, this.s2, this.s3, this.hasSpare, this.spare] = state as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

function seedWords(keys: readonly number[]): [number, number, number, number] {
  const words: number[] = [];
  for (let w = 0; w < 4; w++) {
    let h = mix32(0x243f6a88 + w * 0x3c6ef372);
    h = absorb(h, keys.length);
    for (const k of keys) h = absorb(h, k);
    words.push(h);
  }
  return words as [number, number, number, number];
}

/**
 * The project's seeded random source (xoshiro128**). Every random draw in ecgssl goes through one of these.
 *
 * @param seed non-negative safe integer
 */
export function createRng(seed: number): Rng {
  checkKey('createRng', 'seed', seed);
  return new Xoshiro128(seedWords([seed]));
}

/**
 * An independent stream for (seed, ...keys), e.g. (seed, fold, epoch, windowIndex): the draws of one window
 * never depend on batch size or on the order in which windows are processed.
 */
export function deriveRng(seed: number, ...keys: number[]): Rng {
  checkKey('deriveRng', 'seed', seed);
  keys.forEach((k, i) => checkKey('deriveRng', `key ${i}`, k));
  return new Xoshiro128(seedWords([seed, ...keys]));
}
