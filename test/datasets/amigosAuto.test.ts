// data.amigosSource: auto: the original 256 Hz files when every participant has one, else the 128 Hz ones, said once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { amigosSourceSchema } from '../../src/datasets/readers/amigos/options.js';
import { readAmigos } from '../../src/datasets/readers/amigos/index.js';
import type { RawRecording } from '../../src/datasets/types.js';
import { tmp } from './helpers.js';

const ROOT = 'test/fixtures/amigos/data';

async function collect(over: Record<string, unknown>, logs: string[]): Promise<RawRecording[]> {
  const source = amigosSourceSchema.parse({ kind: 'amigos', root: ROOT, amigosSource: 'auto', ...over });
  const out: RawRecording[] = [];
  for await (const r of readAmigos(source, { log: (m) => logs.push(m) })) out.push(r);
  return out;
}

/** Recording ids and lengths, to compare two reads. */
function shape(recs: readonly RawRecording[]): string[] {
  return recs.map((r) => `${r.subject}/${r.recording}/${r.samples.length}/${r.samplingRateHz}`);
}

test('amigosSource auto with every Data_Original file: the 256 Hz ECG, as amigosSource original', async () => {
  const logs: string[] = [];
  const auto = await collect({}, logs);
  const original = await collect({ amigosSource: 'original' }, []);
  assert.ok(auto.length > 0 && auto.every((r) => r.samplingRateHz === 256));
  assert.deepEqual(shape(auto), shape(original));
  assert.ok(!logs.some((l) => /reading the preprocessed/.test(l)));
});

test('amigosSource auto with a Data_Original file missing: the 128 Hz files for all, one line saying so', async () => {
  const d = tmp('ecgssl-amigos-auto-');
  cpSync(ROOT, d, { recursive: true });
  rmSync(join(d, 'Data_Original_P02.mat'));
  const logs: string[] = [];
  const auto = await collect({ root: d }, logs);
  const pre = await collect({ root: d, amigosSource: 'preprocessed' }, []);
  assert.ok(auto.length > 0 && auto.every((r) => r.samplingRateHz === 128));
  assert.deepEqual(shape(auto), shape(pre));
  const said = logs.filter((l) => /reading the preprocessed/.test(l));
  assert.deepEqual(said, [
    `readAmigos: no Data_Original_Pxx.mat for 1 of 2 participants under ${d} (P02): reading the preprocessed ` +
      '128 Hz files (data.amigosSource: auto)',
  ]);
  // Only P01 selected: it has its original file, so auto reads it at 256 Hz.
  const p01 = await collect({ root: d, subjects: ['P01'] }, []);
  assert.ok(p01.length > 0 && p01.every((r) => r.samplingRateHz === 256));
  rmSync(d, { recursive: true, force: true });
});
