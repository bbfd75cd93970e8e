// Truncated and bit-flipped inputs for the MAT, AMIGOS, Poly5 and SWELL (Poly5 and text export) readers: every failure must be a one-line
// UserError naming the file, never another exception (a crash) or a hang. Seeded through createRng.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { amigosSourceSchema } from '../../src/datasets/readers/amigos/options.js';
import { swellSourceSchema } from '../../src/datasets/readers/swell/options.js';
import { readAmigos } from '../../src/datasets/readers/amigos/index.js';
import { readMat } from '../../src/datasets/formats/mat/index.js';
import { readPoly5Chunks } from '../../src/datasets/formats/poly5.js';
import { readSwell } from '../../src/datasets/readers/swell/index.js';
import { UserError } from '../../src/errors.js';
import { createRng } from '../../src/random/index.js';
import type { Rng } from '../../src/random/index.js';
import { tmp } from './helpers.js';
import { poly5Bytes } from './poly5Writer.js';

const CASES = 200;

/** One mutation of `src`: truncation, 1-8 flipped bits, or a 32-bit field overwritten with a hostile value. */
function mutate(src: Uint8Array, rng: Rng): { bytes: Uint8Array; what: string } {
  const b = Uint8Array.from(src);
  const kind = rng.int(0, 3);
  if (kind === 0) {
    const n = rng.int(0, src.length);
    return { bytes: b.subarray(0, n), what: `truncated to ${n}` };
  }
  if (kind === 1) {
    const k = rng.int(1, 9);
    const at: number[] = [];
    for (let i = 0; i < k; i++) {
      const p = rng.int(0, b.length);
      b[p] = (b[p] as number) ^ (1 << rng.int(0, 8));
      at.push(p);
    }
    return { bytes: b, what: `bits flipped at ${at.join(',')}` };
  }
  const p = rng.int(0, Math.max(1, b.length - 4));
  const v = [0xffffffff, 0x7fffffff, 0x80000000, 0, rng.int(0, 1 << 30)][rng.int(0, 5)] as number;
  new DataView(b.buffer).setUint32(p, v >>> 0, true);
  return { bytes: b, what: `u32 ${v} at ${p}` };
}

async function fuzz(
  name: string,
  seed: number,
  seeds: { file: string; bytes: Uint8Array }[],
  write: (file: string, bytes: Uint8Array) => string,
  read: () => Promise<unknown>,
): Promise<{ ok: number; userErrors: number }> {
  const rng = createRng(seed);
  const bad: string[] = [];
  let ok = 0;
  let userErrors = 0;
  for (let c = 0; c < CASES; c++) {
    const s = seeds[c % seeds.length]!;
    const { bytes, what } = mutate(s.bytes, rng);
    const path = write(s.file, bytes);
    try {
      await read();
      ok++;
    } catch (err) {
      if (!(err instanceof UserError))
        bad.push(`${name} case ${c} (${s.file} ${what}): ${(err as Error)?.stack ?? String(err)}`);
      else if (/[\n\r]/.test(err.message) || !err.message.includes(basename(path)))
        bad.push(
          `${name} case ${c} (${s.file} ${what}): message not one line naming ${basename(path)}: ${err.message}`,
        );
      else userErrors++;
    }
    write(s.file, s.bytes); // restore
  }
  assert.deepEqual(bad.slice(0, 5), [], `${bad.length} bad cases`);
  return { ok, userErrors };
}

async function drain(gen: AsyncGenerator<unknown>): Promise<void> {
  for await (const r of gen) void r;
}

test('fuzz readMat: truncated / bit-flipped scipy fixtures', async () => {
  const d = tmp('ecgssl-fuzz-mat-');
  const seeds = ['plain.mat', 'compressed.mat'].map((f) => ({
    file: f,
    bytes: readFileSync(join('test/fixtures/mat', f)),
  }));
  let current = '';
  const r = await fuzz(
    'mat',
    101,
    seeds,
    (f, b) => {
      current = join(d, f);
      writeFileSync(current, b);
      return current;
    },
    () => readMat(current),
  );
  assert.ok(r.userErrors > 20, `only ${r.userErrors} UserErrors`);
});

test('fuzz readAmigos: mutated Data_Preprocessed / Data_Original files', async () => {
  const d = tmp('ecgssl-fuzz-amigos-');
  const files = ['Data_Preprocessed_P01.mat', 'Data_Original_P01.mat'];
  for (const f of files) copyFileSync(join('test/fixtures/amigos/data', f), join(d, f));
  const seeds = files.map((f) => ({ file: f, bytes: readFileSync(join(d, f)) }));
  const write = (f: string, b: Uint8Array): string => {
    writeFileSync(join(d, f), b);
    return join(d, f);
  };
  let source = amigosSourceSchema.parse({ kind: 'amigos', root: d });
  const r1 = await fuzz('amigos', 202, seeds.slice(0, 1), write, () => drain(readAmigos(source, {})));
  source = amigosSourceSchema.parse({ kind: 'amigos', root: d, amigosSource: 'original' });
  const r2 = await fuzz('amigos-original', 203, seeds.slice(1), write, () => drain(readAmigos(source, {})));
  assert.ok(r1.userErrors > 20 && r2.userErrors > 20);
});

const NAMES = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'ECG', 'h'];
function poly5Seed(format: 'float32' | 'int16', n: number): Uint8Array {
  const data = NAMES.map((_, c) => Float64Array.from({ length: n }, (_, i) => c + Math.sin(i / 5) * 10));
  return poly5Bytes({ rateHz: 2048, names: NAMES, data, format, samplesPerBlock: 64 });
}

test('fuzz readPoly5Chunks: mutated float32 and int16 files', async () => {
  const d = tmp('ecgssl-fuzz-poly5-');
  const seeds = [
    { file: 'a.S00', bytes: poly5Seed('float32', 300) },
    { file: 'b.S00', bytes: poly5Seed('int16', 200) },
  ];
  let current = '';
  const r = await fuzz(
    'poly5',
    303,
    seeds,
    (f, b) => {
      current = join(d, f);
      writeFileSync(current, b);
      return current;
    },
    async () => {
      for (const c of readPoly5Chunks(current, 7, 128)) void c;
    },
  );
  assert.ok(r.userErrors > 20);
});

test('fuzz readSwell: mutated Poly5 recording, conditions.csv and behavioural CSV', async () => {
  const root = tmp('ecgssl-fuzz-swell-');
  mkdirSync(join(root, 'x'));
  const seeds = [
    { file: 'pp1_1-1-2012_c1.S00', bytes: poly5Seed('float32', 2048) },
    { file: 'conditions.csv', bytes: Buffer.from('participant,block,condition\npp1,1,N\n') },
    {
      file: 'Behavioral-features - per minute.csv',
      bytes: Buffer.from('PP,Blok,Condition,Valence_rc,Arousal_rc\nPP1,1,R,9,9\nPP1,1,N,6,2\n'),
    },
  ];
  const write = (f: string, b: Uint8Array): string => {
    writeFileSync(join(root, f), b);
    return join(root, f);
  };
  for (const s of seeds) write(s.file, s.bytes);
  const source = swellSourceSchema.parse({ kind: 'swell', root });
  const r = await fuzz('swell', 404, seeds, write, () => drain(readSwell(source, { targetRateHz: 256 })));
  assert.ok(r.userErrors > 10);
});

test('fuzz readSwell: mutated text-export recordings (one column; three columns with data.lead)', async () => {
  const root = tmp('ecgssl-fuzz-swell-text-');
  const mobi = join(root, 'Mobi signals text');
  mkdirSync(mobi);
  const ecg = Array.from({ length: 3000 }, (_, i) => (Math.sin(i / 7) * 250).toFixed(4));
  const seeds = [
    { file: 'pp1_1-1-2012_c1.txt', bytes: Buffer.from(ecg.join('\n') + '\n') },
    {
      file: 'pp2_1-1-2012_c1.txt',
      bytes: Buffer.from(ecg.map((v, i) => `${i / 2048}\t${v}\t0`).join('\r\n') + '\r\n'),
    },
  ];
  writeFileSync(join(root, 'conditions.csv'), 'participant,block,condition\npp1,1,N\npp2,1,T\n');
  const write = (f: string, b: Uint8Array): string => {
    writeFileSync(join(mobi, f), b);
    return join(mobi, f);
  };
  for (const s of seeds) write(s.file, s.bytes);
  const source = swellSourceSchema.parse({ kind: 'swell', root, lead: 1 });
  await drain(readSwell(source, { targetRateHz: 256 })); // the seeds read
  const r = await fuzz('swell-text', 505, seeds, write, () =>
    drain(readSwell(source, { targetRateHz: 256 })),
  );
  assert.ok(r.userErrors > 50 && r.ok > 5, JSON.stringify(r));
});
