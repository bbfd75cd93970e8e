// Interval labels: data.labelsFile on any reader (WFDB here), generic labels.csv startS,endS, segments, errors.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { dataSourceSchema, preprocessingSchema } from '../../src/config/schema.js';
import { prepareSource } from '../../src/datasets/prepareSource.js';
import { openWindowStore } from '../../src/datasets/store.js';
import { writeNpy } from '../../src/datasets/formats/npy.js';
import { intervalSegments } from '../../src/preprocessing/intervalSegments.js';
import { UserError } from '../../src/errors.js';
import { cli } from '../helpers/cli.js';
import { tmp, writeWfdb } from './helpers.js';

/** No filter, no normalisation, 100 Hz in and out, 1-s windows: each window's samples are the file's. */
const PRE = preprocessingSchema.parse({
  targetRateHz: 100,
  windowSamples: 100,
  highpass: { enabled: false },
  normalization: { method: 'none' },
});

/** A 60-s WFDB record at 100 Hz whose sample i is i (format 16, gain 1): a window's first value is its start. */
function rampRecord(dir: string, name: string, seconds = 60): void {
  const adc = Int16Array.from({ length: seconds * 100 }, (_, i) => i);
  writeWfdb(dir, name, 16, 100, [{ adc, gain: 1, baseline: 0, description: 'ECG' }]);
}

test('intervalSegments: intervals and the gaps around them, clipped, samples wholly inside', () => {
  assert.deepEqual(intervalSegments(1000, [], 100), [{ startSample: 0, endSample: 1000, interval: -1 }]);
  assert.deepEqual(
    intervalSegments(
      1000,
      [
        { startS: 0.005, endS: 2.5 },
        { startS: 2.5, endS: 4 },
        { startS: 7.25, endS: 12 },
      ],
      100,
    ),
    [
      { startSample: 0, endSample: 1, interval: -1 },
      { startSample: 1, endSample: 250, interval: 0 },
      { startSample: 250, endSample: 400, interval: 1 },
      { startSample: 400, endSample: 725, interval: -1 },
      { startSample: 725, endSample: 1000, interval: 2 },
    ],
  );
  assert.throws(
    () =>
      intervalSegments(
        1000,
        [
          { startS: 1, endS: 3 },
          { startS: 2, endS: 4 },
        ],
        100,
      ),
    /interval 1 \(2-4 s\) starts before the previous one ends/,
  );
});

test('data.labelsFile on WFDB records: windows inside each interval, from its start; the rest unlabelled', async () => {
  const dir = tmp('ecgssl-intervals-');
  const root = join(dir, 'wfdb');
  mkdirSync(join(root, 'p2'), { recursive: true });
  rampRecord(root, 'r1');
  rampRecord(join(root, 'p2'), 'r2', 30);
  const labelsFile = join(dir, 'intervals.csv');
  writeFileSync(
    labelsFile,
    [
      'subject,recording,startS,endS,stress,mood',
      'r1,r1,10.5,13.9,1,calm', // 3 windows from 10.5 s
      'r1,r1,0,2,0,tense', // 2 windows
      'p2,r2,5,7,0,calm', // a record in a folder: its recording id without the subject folder
      'p2,ghost,0,1,1,calm', // matches nothing: a warning
    ].join('\n') + '\n',
  );
  const source = dataSourceSchema.parse({ kind: 'wfdb', root, labelsFile });
  const sum = await prepareSource(source, PRE, join(dir, 'cache'), { progress: false });
  assert.equal(sum.windows, 59 + 30); // r1: 2 + 8 (gap 2-10.5 s) + 3 + 46 (13.9-60 s); r2: 5 + 2 + 23
  assert.deepEqual(sum.labelCounts, {
    mood: { '0': 5, '1': 2, NaN: 82 },
    stress: { '0': 4, '1': 3, NaN: 82 },
  });
  const store = openWindowStore(sum.storeDir);
  try {
    assert.deepEqual(store.tasks, { mood: 2, stress: 2 });
    const starts = store.entries.map((e, i) => ({
      rec: `${e.subject}/${e.recording}`,
      start: store.read([i])[0],
      stress: e.labels.stress,
    }));
    const labelled = starts.filter((s) => !Number.isNaN(s.stress));
    assert.deepEqual(
      labelled.map((s) => [s.rec, s.start, s.stress]),
      [
        ['p2/p2/r2', 500, 0],
        ['p2/p2/r2', 600, 0],
        ['r1/r1', 0, 0],
        ['r1/r1', 100, 0],
        ['r1/r1', 1050, 1],
        ['r1/r1', 1150, 1],
        ['r1/r1', 1250, 1],
      ],
    );
    // The unlabelled rest of r1 is cut from each gap's start: 200, 300, ..., then 1390, 1490, ...
    const gaps = starts.filter((s) => s.rec === 'r1/r1' && Number.isNaN(s.stress)).map((s) => s.start);
    assert.deepEqual(gaps.slice(0, 9), [200, 300, 400, 500, 600, 700, 800, 900, 1390]);
    assert.deepEqual(
      store.entries.filter((e) => e.recording === 'r1').map((e) => e.window),
      Array.from({ length: 59 }, (_, i) => i),
    );
  } finally {
    store.close();
  }
});

test('data.labelsFile errors: overlap names both rows, past the end names file, row and field; nothing kept', async () => {
  const dir = tmp('ecgssl-intervals-bad-');
  const root = join(dir, 'wfdb');
  mkdirSync(root);
  rampRecord(root, 'r1');
  const cache = join(dir, 'cache');
  const run = (rows: string[], over: Record<string, unknown> = {}) => {
    const labelsFile = join(dir, 'l.csv');
    writeFileSync(labelsFile, ['subject,recording,startS,endS,stress', ...rows].join('\n') + '\n');
    return prepareSource(dataSourceSchema.parse({ kind: 'wfdb', root, labelsFile, ...over }), PRE, cache, {
      progress: false,
    });
  };
  const fails = async (rows: string[], re: RegExp, over: Record<string, unknown> = {}) =>
    assert.rejects(run(rows, over), (e: unknown) => e instanceof UserError && re.test(e.message));
  await fails(
    ['r1,r1,0,10,0', 'r1,r1,20,30,1', 'r1,r1,9,12,1'],
    /l\.csv lines 2 and 4: intervals 0-10 s and 9-12 s of r1 r1 overlap/,
  );
  await fails(
    ['r1,r1,0,10,0', 'r1,r1,50,61,1'],
    /l\.csv line 3: endS 61 is past the end of r1 r1 .*\(60 s\)/,
  );
  await fails(['r1,r1,60,70,1'], /l\.csv line 2: startS 60 is past the end/);
  await fails(['r1,r1,5,,1'], /l\.csv line 2: endS is empty/);
  await fails(['r1,r1,8,3,1'], /l\.csv line 2: endS 3 is not after startS 8/);
  await fails(['r1,r1,x,3,1'], /l\.csv line 2: startS "x" is not a number of seconds/);
  await fails(
    ['r2,r2,0,3,1'],
    /no row of .*l\.csv matches a recording of wfdb .*subject "r1", recording "r1"/,
  );
  writeFileSync(join(dir, 'l.csv'), 'subject,recording,stress\nr1,r1,1\n');
  await assert.rejects(
    prepareSource(
      dataSourceSchema.parse({ kind: 'wfdb', root, labelsFile: join(dir, 'l.csv') }),
      PRE,
      cache,
      {
        progress: false,
      },
    ),
    /l\.csv has no "startS" column/,
  );
  await assert.rejects(
    prepareSource(
      dataSourceSchema.parse({ kind: 'wfdb', root, labelsFile: join(dir, 'no.csv') }),
      PRE,
      cache,
    ),
    /data\.labelsFile .*no\.csv does not exist/,
  );
  // Nothing partial under the cache: no store folder was published.
  assert.deepEqual(existsSync(cache) ? readdirSync(cache).filter((n) => !n.startsWith('.')) : [], []);
});

test('generic labels.csv with startS,endS: several intervals per file; mixing with a whole-file row is an error', async () => {
  const root = tmp('ecgssl-generic-intervals-');
  writeNpy(
    join(root, 'a.npy'),
    Float64Array.from({ length: 3000 }, (_, i) => i),
    [3000],
  );
  writeNpy(
    join(root, 'b.npy'),
    Float64Array.from({ length: 1000 }, (_, i) => i),
    [1000],
  );
  const put = (rows: string[]) =>
    writeFileSync(
      join(root, 'labels.csv'),
      ['subject,recording,samplingRateHz,startS,endS,task', ...rows].join('\n') + '\n',
    );
  put(['s1,a,100,20,30,c2', 's1,a,100,0,5,c0', 's2,b,100,,,c1']);
  const source = dataSourceSchema.parse({ kind: 'generic', root });
  const sum = await prepareSource(source, PRE, join(root, '..', 'cache-g'), { progress: false });
  // a: 5 (c0) + 15 gap + 10 (c2) = 30 windows; b: 10 windows of c1 (whole recording).
  assert.equal(sum.windows, 40);
  assert.deepEqual(sum.labelCounts, { task: { '0': 5, '1': 10, '2': 10, NaN: 15 } });
  put(['s1,a,100,0,5,c0', 's1,a,100,,,c1', 's2,b,100,,,c1']);
  await assert.rejects(
    prepareSource(source, PRE, join(root, '..', 'cache-g2'), { progress: false }),
    /labels\.csv line 3: a\.npy is listed twice \(with and without startS,endS\)/,
  );
});

test('ecgssl prepare --json on MIT-BIH record 100 with an interval labels file: windows per class', async () => {
  const mitdb = 'test/fixtures/real/mitdb';
  if (!existsSync(join(mitdb, '100.hea'))) return;
  const dir = tmp('ecgssl-mitdb-intervals-');
  const root = join(dir, 'mitdb');
  mkdirSync(root);
  for (const f of ['100.hea', '100.dat'])
    writeFileSync(join(root, f), (await import('node:fs')).readFileSync(join(mitdb, f)));
  // 30 min 5 s; three intervals labelled rest / task / rest, the rest of the record unlabelled.
  writeFileSync(
    join(dir, 'intervals.csv'),
    'subject,recording,startS,endS,condition\n100,100,0,300,rest\n100,100,600,905,task\n100,100,1200,1500,rest\n',
  );
  writeFileSync(
    join(dir, 'c.yaml'),
    `experiment: mitdb-intervals\ndata: { kind: wfdb, root: ${root}, lead: MLII, labelsFile: ${join(dir, 'intervals.csv')} }\n` +
      `output: { root: ${join(dir, 'results')}, cacheDir: ${join(dir, 'cache')} }\n`,
  );
  const r = await cli('prepare', '--config', join(dir, 'c.yaml'), '--json', '--quiet');
  assert.equal(r.code, 0, r.stderr);
  const { sources } = JSON.parse(r.stdout) as {
    sources: { windows: number; labelCounts: Record<string, Record<string, number>> }[];
  };
  // 10-s windows: rest 30 + 30, task 30 (600-905 s); the gaps 300-600, 905-1200 and 1500-1805.6 s: 30 + 29 + 30.
  assert.deepEqual(sources[0]!.labelCounts, { condition: { '0': 60, '1': 30, NaN: 89 } });
  assert.equal(sources[0]!.windows, 179);
  process.stderr.write(`mitdb 100 with intervals: ${JSON.stringify(sources[0]!.labelCounts)}\n`);
  // Past the end: one line naming file, row and field; exit 1.
  writeFileSync(
    join(dir, 'intervals.csv'),
    'subject,recording,startS,endS,condition\n100,100,1800,1810,rest\n',
  );
  const bad = await cli('prepare', '--config', join(dir, 'c.yaml'), '--json', '--quiet');
  assert.equal(bad.code, 1);
  assert.match(
    bad.stderr,
    /^ecgssl: labels: .*intervals\.csv line 2: endS 1810 is past the end of 100 100 .*\(1805\.556 s\)\n$/,
  );
});
