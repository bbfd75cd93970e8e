// Deliberately broken readers for the fuzz harness's own tests: each misbehaves in one way the runner must catch.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../src/errors.js';
import type { FuzzInput, FuzzTarget } from '../../src/fuzz/types.js';

const SEED = 'abcdefghijklmnopqrstuvwxyz0123456789';
const corpus = (): FuzzInput[] => [
  { label: 'text', files: [{ name: 'f.txt', bytes: new Uint8Array(Buffer.from(SEED)) }] },
];

/** Reads f.txt; the unmutated seed parses, anything else is a proper UserError naming the file. */
function strict(dir: string): string {
  const p = join(dir, 'f.txt');
  const text = readFileSync(p, 'latin1');
  if (text !== SEED) throw new UserError(`strict: ${p} is not the seed text`);
  return text;
}

/** Misbehaves on every mutated case (the seed, case 0, reads fine). */
function broken(name: string, misbehave: (dir: string) => unknown, check?: FuzzTarget['check']): FuzzTarget {
  return {
    name,
    description: `broken reader: ${name}`,
    corpus,
    async read(dir) {
      const p = join(dir, 'f.txt');
      if (readFileSync(p, 'latin1') === SEED) return 'seed';
      return misbehave(dir);
    },
    ...(check ? { check } : {}),
  };
}

export function fuzzTargets(): FuzzTarget[] {
  return [
    { name: 'strict', description: 'a correct reader', corpus, read: async (dir) => strict(dir) },
    broken('type-error', () => (null as unknown as { x: number }).x),
    broken('no-path', () => {
      throw new UserError('strict: bad input');
    }),
    broken('multi-line', (dir) => {
      throw new UserError(`strict: ${dir}/f.txt is bad:\nsecond line`);
    }),
    broken('control-char', (dir) => {
      throw new UserError(`strict: ${dir}/f.txt has field "\u001b[31mred"`);
    }),
    broken('hang', () => {
      for (;;) {
        // a reader stuck in a loop
      }
    }),
    broken('allocation', () => new Float64Array(1 << 28).length),
    broken('heap', () => {
      const keep: number[][] = [];
      for (;;) keep.push(new Array<number>(1 << 20).fill(1.5));
    }),
    broken(
      'bad-result',
      () => ({ samples: [NaN] }),
      (r) => (r === 'seed' ? undefined : 'non-finite sample'),
    ),
  ];
}
