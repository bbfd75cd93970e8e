import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { preprocessingSchema } from '../../src/config/schema.js';
import { amigosSourceSchema } from '../../src/datasets/readers/amigos/options.js';
import { readAmigos } from '../../src/datasets/readers/amigos/index.js';
import { prepareSource } from '../../src/datasets/prepareSource.js';
import type { RawRecording } from '../../src/datasets/types.js';
import { UserError } from '../../src/errors.js';
import { prepareCli } from './helpers.js';
import { tmp } from './helpers.js';

const ROOT = 'test/fixtures/amigos/data';
interface Trial {
  video: string;
  seconds: number;
  scores: number[] | null;
}
const expected = JSON.parse(readFileSync('test/fixtures/amigos/expected.json', 'utf8')) as Record<
  string,
  Trial[]
>;

async function collect(over: Record<string, unknown>, logs: string[] = []): Promise<RawRecording[]> {
  const source = amigosSourceSchema.parse({ kind: 'amigos', root: ROOT, ...over });
  const out: RawRecording[] = [];
  for await (const r of readAmigos(source, { log: (m) => logs.push(m) })) out.push(r);
  return out;
}

/** What the reader must yield for participant `pid` at `rateHz` (trial index, samples, binarised labels). */
function want(
  pid: string,
  rateHz: number,
): { recording: string; n: number; arousal: number; valence: number }[] {
  const out: { recording: string; n: number; arousal: number; valence: number }[] = [];
  (expected[pid] as Trial[]).forEach((t, i) => {
    if (t.seconds === 0 || (pid === 'P02' && i === 1 && rateHz === 128)) return; // empty long trial; NaN inside
    const trimmed = pid === 'P02' && i === 0 && rateHz === 128 ? 64 : 0;
    out.push({
      recording: `trial${String(i).padStart(2, '0')}_v${t.video}`,
      n: t.seconds * rateHz - trimmed,
      arousal: (t.scores as number[])[0]! > 5 ? 1 : 0,
      valence: (t.scores as number[])[1]! > 5 ? 1 : 0,
    });
  });
  return out;
}

test('readAmigos preprocessed: trials in order, ECG right at 128 Hz, labels > 5, empty/NaN trials handled', async () => {
  const logs: string[] = [];
  const recs = await collect({}, logs);
  assert.deepEqual([...new Set(recs.map((r) => r.subject))], ['P01', 'P02']);
  for (const pid of ['P01', 'P02']) {
    const got = recs.filter((r) => r.subject === pid);
    assert.deepEqual(
      got.map((r) => ({
        recording: r.recording,
        n: r.samples.length,
        arousal: r.labels.arousal!,
        valence: r.labels.valence!,
      })),
      want(pid, 128),
      pid,
    );
    for (const r of got) {
      assert.equal(r.samplingRateHz, 128);
      assert.ok(r.samples.every((v) => Number.isFinite(v)));
    }
  }
  // P01: lead 0 peaks at 1 + 0.25, lead 1 at 1.5 + 0.25 (make.py)
  const peak = (r: RawRecording): number => Math.max(...Array.from(r.samples));
  assert.ok(Math.abs(peak(recs[0]!) - 1.25) < 0.05, `peak ${peak(recs[0]!)}`);
  const left = await collect({ lead: 'ECG left', subjects: ['P01'], trials: [0] });
  assert.equal(left.length, 1);
  assert.ok(Math.abs(peak(left[0]!) - 1.75) < 0.05, `peak ${peak(left[0]!)}`);
  assert.ok(
    logs.some((l) => /P02 trial 16 .*no data.*skipped/.test(l)),
    logs.join('\n'),
  );
  assert.ok(logs.some((l) => /P02 trial 1 .*non-finite ECG samples inside.*skipped/.test(l)));
  assert.ok(logs.some((l) => /P02 trial 0 .*64 leading\/trailing non-finite samples dropped/.test(l)));
});

test('readAmigos original: 256 Hz ECG_DATA matched to trials by video id (own VideoIDs or canonical order)', async () => {
  const logs: string[] = [];
  const recs = await collect({ amigosSource: 'original' }, logs);
  for (const pid of ['P01', 'P02']) {
    const got = recs.filter((r) => r.subject === pid);
    assert.deepEqual(
      got.map((r) => ({
        recording: r.recording,
        n: r.samples.length,
        arousal: r.labels.arousal!,
        valence: r.labels.valence!,
      })),
      want(pid, 256),
      pid,
    );
    assert.ok(got.every((r) => r.samplingRateHz === 256));
  }
  assert.ok(logs.some((l) => /Data_Original_P02\.mat has no VideoIDs/.test(l)));
});

test('readAmigos: subjects, trials, tasks and per-subject median threshold', async () => {
  const recs = await collect({
    subjects: ['P02'],
    trials: [2, 3, 16],
    tasks: ['arousal', 'liking'],
    labels: { threshold: 'median' },
  });
  assert.deepEqual(
    recs.map((r) => r.recording),
    ['trial02_v' + expected.P02![2]!.video, 'trial03_v' + expected.P02![3]!.video],
  );
  const a = [2, 3, 16].map((t) => expected.P02![t]!.scores?.[0]).filter((v): v is number => v !== undefined);
  assert.equal(a.length, 2); // trial 16 of P02 is empty
  const med = (a[0]! + a[1]!) / 2;
  assert.deepEqual(
    recs.map((r) => r.labels.arousal),
    [a[0]! > med ? 1 : 0, a[1]! > med ? 1 : 0],
  );
  assert.deepEqual(Object.keys(recs[0]!.labels), ['arousal', 'liking']);
  await assert.rejects(collect({ tasks: ['stress'] }), /task "stress" .* not an AMIGOS label/);
  await assert.rejects(collect({ trials: [20] }), /data\.trials has trial 20.*20 trials/);
  await assert.rejects(collect({ lead: 2 }), /data\.lead 2 does not exist/);
});

test('readAmigos original without the preprocessed file: a clear UserError', async () => {
  const d = tmp('ecgssl-amigos-');
  cpSync(ROOT, d, { recursive: true });
  rmSync(join(d, 'Data_Preprocessed_P01.mat'));
  await assert.rejects(
    collect({ root: d, amigosSource: 'original' }),
    (e: unknown) =>
      e instanceof UserError && /P01 has no Data_Preprocessed_P01\.mat.*labels and VideoIDs/.test(e.message),
  );
});

test('prepare on the fake AMIGOS folder: windows, subjects and label counts', async () => {
  const cache = tmp('ecgssl-amigos-cache-');
  const pre = preprocessingSchema.parse({});
  const countWindows = (
    pid: string,
    rateHz: number,
  ): { windows: number; arousal: Record<string, number> } => {
    let windows = 0;
    const arousal: Record<string, number> = {};
    for (const w of want(pid, rateHz)) {
      const k = Math.floor(Math.ceil((w.n * 256) / rateHz) / 2560);
      windows += k;
      if (k > 0) arousal[String(w.arousal)] = (arousal[String(w.arousal)] ?? 0) + k;
    }
    return { windows, arousal };
  };
  for (const [amigosSource, rate] of [
    ['preprocessed', 128],
    ['original', 256],
  ] as const) {
    const source = amigosSourceSchema.parse({ kind: 'amigos', root: ROOT, amigosSource });
    const s = await prepareSource(source, pre, cache, { progress: false });
    const p1 = countWindows('P01', rate);
    const p2 = countWindows('P02', rate);
    assert.equal(s.subjects, 2);
    assert.equal(s.windows, p1.windows + p2.windows, amigosSource);
    assert.ok(s.windows >= 5);
    const arousal: Record<string, number> = { ...p1.arousal };
    for (const [k, v] of Object.entries(p2.arousal)) arousal[k] = (arousal[k] ?? 0) + v;
    assert.deepEqual(s.labelCounts.arousal, arousal);
    assert.deepEqual(Object.keys(s.labelCounts).sort(), ['arousal', 'valence']);
  }
});

test('ecgssl prepare --json on the fake AMIGOS folder (CLI end to end)', async () => {
  const dir = tmp('ecgssl-amigos-cli-');
  const { code, stdout, stderr } = await prepareCli(
    dir,
    `{ kind: amigos, root: ${ROOT}, tasks: [arousal, valence] }`,
    '{}',
  );
  assert.equal(code, 0, stderr);
  const { sources } = JSON.parse(stdout) as {
    sources: { windows: number; subjects: number; labelCounts: Record<string, Record<string, number>> }[];
  };
  assert.equal(sources.length, 1);
  assert.equal(sources[0]!.subjects, 2);
  const windows = (['P01', 'P02'] as const).reduce(
    (a, pid) => a + want(pid, 128).reduce((b, w) => b + Math.floor((w.n * 2) / 2560), 0),
    0,
  );
  assert.equal(sources[0]!.windows, windows);
  const counts = sources[0]!.labelCounts;
  assert.equal((counts.arousal!['0'] ?? 0) + (counts.arousal!['1'] ?? 0), windows);
});
