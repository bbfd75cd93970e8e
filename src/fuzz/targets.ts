// The fuzz targets: one entry per reader with its seed corpus generated in code and the call ecgssl makes.
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { join } from 'node:path';
import {
  csvText,
  EDF_FIXED_FIELDS,
  EDF_SIGNAL_FIELDS,
  edfBytes,
  matBytes,
  npyBytes,
  POLY5_FIELDS,
  poly5Bytes,
  py2PickleBytes,
  testSignal,
  wfdbFiles,
  type MatSeedValue,
  type PickleSeedValue,
} from './corpus.js';
import { concatFloat64 } from '../datasets/formats/fileRead.js';
import type { FuzzFile, FuzzInput, FuzzTarget, HeaderField } from './types.js';

const enc = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'utf8'));

/** Result contract of every signal reader: finite samples and a finite positive sampling rate. */
function checkSignal(samples: ArrayLike<number>, rateHz: number, where: string): string | undefined {
  if (!(Number.isFinite(rateHz) && rateHz > 0)) return `${where}: sampling rate ${rateHz}`;
  for (let i = 0; i < samples.length; i++)
    if (!Number.isFinite(samples[i] as number)) return `${where}: non-finite sample ${samples[i]} at ${i}`;
  return undefined;
}

function checkSignals(result: unknown): string | undefined {
  for (const [i, r] of (result as { samples: ArrayLike<number>; samplingRateHz: number }[]).entries()) {
    const bad = checkSignal(r.samples, r.samplingRateHz, `read ${i}`);
    if (bad) return bad;
  }
  return undefined;
}

function npyFields(name: string, version: 1 | 2 | 3): HeaderField[] {
  return [
    { file: name, offset: 6, length: 1, encoding: 'u8' },
    { file: name, offset: 8, length: version === 1 ? 2 : 4, encoding: version === 1 ? 'u16le' : 'u32le' },
  ];
}

function edfFields(file: string, ns: number): HeaderField[] {
  const out: HeaderField[] = EDF_FIXED_FIELDS.map((f) => ({
    file,
    offset: f.offset,
    length: f.length,
    encoding: 'ascii',
  }));
  for (const f of EDF_SIGNAL_FIELDS)
    for (let i = 0; i < ns; i++)
      out.push({ file, offset: 256 + f.block * ns + i * f.length, length: f.length, encoding: 'ascii' });
  return out;
}

function edfSeed(plus: boolean, records: number, spr: number): Uint8Array {
  const sigs = [
    {
      label: 'ECG',
      samplesPerRecord: spr,
      physicalMin: -3276.8,
      physicalMax: 3276.7,
      digitalMin: -32768,
      digitalMax: 32767,
      digital: testSignal(records * spr, 1500),
    },
    {
      label: 'Resp',
      samplesPerRecord: Math.max(1, spr >> 2),
      physicalMin: -100,
      physicalMax: 100,
      digitalMin: -2048,
      digitalMax: 2047,
      digital: testSignal(records * Math.max(1, spr >> 2), 900, 1),
    },
  ];
  if (plus)
    sigs.push({
      label: 'EDF Annotations',
      samplesPerRecord: 8,
      physicalMin: -1,
      physicalMax: 1,
      digitalMin: -32768,
      digitalMax: 32767,
      digital: new Int16Array(records * 8),
    });
  return edfBytes(sigs, records, 1, plus);
}

const LABELS_CSV = [
  'subject,recording,samplingRateHz,arousal,valence,mood',
  'P1,P1/rest,250,3,0,calm',
  'P1,P1/task,250,7.5,1,"tense, alert"',
  'P2,P2/rest,,5,,calm',
].join('\n');

function genericFolder(): FuzzFile[] {
  return [
    { name: 'labels.csv', bytes: enc(LABELS_CSV + '\n') },
    { name: 'P1/rest.npy', bytes: npyBytes({ data: Float32Array.from(testSignal(96, 300)), shape: [96] }) },
    { name: 'P1/task.csv', bytes: enc(csvText({ rows: 48, columns: 2 })) },
    { name: 'P2/rest.edf', bytes: edfSeed(false, 3, 16) },
  ];
}

const CONFIG_QUICKSTART = `# fuzz seed
experiment: quickstart
seed: 1
data:
  kind: synthetic
  root: data/synthetic
  tasks: [arousal, valence]
  synthetic:
    subjects: 8
    recordingsPerSubject: 4
    recordingSeconds: 120
    samplingRateHz: 256
    seed: 7
preprocessing:
  targetRateHz: 256
  windowSamples: 2560
pretrain:
  scope: all
  epochs: 8
  batchWindows: 32
  heldOutFraction: 0.1
finetune:
  mode: frozen
  epochs: 200
  layers: 2
  dropout: 0
evaluation:
  folds: 10
  split: window
  labelFractions: ['1%']
`;

const CONFIG_ANCHORS = `experiment: anchors
data:
  kind: generic
  root: ./own-data
  samplingRateHz: &rate 256
  labels: { threshold: median }
  subjects: [P1, P2, "P 3"]
preprocessing: { targetRateHz: *rate, windowSamples: 2560, overlapSamples: 0 }
`;

const CONFIG_WFDB = `experiment: mitdb
data:
  kind: wfdb
  root: /data/mitdb
  records: ['100', '101', '103']
  lead: MLII
preprocessing:
  targetRateHz: 256
  highpass: { enabled: true, cutoffHz: 0.8, order: 4 }
  normalization: { method: trimmed-zscore, centralFraction: 0.95 }
`;

/**
 * The readers under fuzzing. Adding a reader is one entry: a name, a seed corpus generated in code, and the
 * call ecgssl makes. Reader modules are imported on first use, so one reader's missing dependency never stops
 * the others.
 */
export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  {
    name: 'npy',
    description: '.npy recordings (v1/v2/v3, f4/f8/i2, C/Fortran order) through readSignalFile',
    corpus: (): FuzzInput[] => [
      {
        label: 'f8-1d-v1',
        files: [
          { name: 'rec.npy', bytes: npyBytes({ data: Float64Array.from(testSignal(64)), shape: [64] }) },
        ],
        fields: npyFields('rec.npy', 1),
      },
      {
        label: 'f4-2d-v2',
        files: [
          {
            name: 'rec.npy',
            bytes: npyBytes({ data: Float32Array.from(testSignal(96)), shape: [32, 3], version: 2 }),
          },
        ],
        fields: npyFields('rec.npy', 2),
      },
      {
        label: 'i2-2d-fortran',
        files: [
          { name: 'rec.npy', bytes: npyBytes({ data: testSignal(80), shape: [40, 2], fortranOrder: true }) },
        ],
        fields: npyFields('rec.npy', 1),
      },
      {
        label: 'f4-be-v3',
        files: [
          {
            name: 'rec.npy',
            bytes: npyBytes({
              data: Float32Array.from(testSignal(48)),
              shape: [48],
              version: 3,
              bigEndian: true,
            }),
          },
        ],
        fields: npyFields('rec.npy', 3),
      },
    ],
    async read(dir) {
      const { readSignalFile } = await import('../datasets/readers/generic/readSignalFile.js');
      const { inspectNpy, npyDims } = await import('../datasets/formats/npy.js');
      const p = join(dir, 'rec.npy');
      const out = [readSignalFile(p, 0, { fallbackHz: 250 }, undefined)];
      if (npyDims(inspectNpy(p)).channels > 1) out.push(readSignalFile(p, 1, { fallbackHz: 250 }, undefined));
      return out;
    },
    check: checkSignals,
  },
  {
    name: 'csv',
    description: 'signal .csv files (header or not; comma, semicolon, tab; LF, CRLF) through readSignalFile',
    corpus: (): FuzzInput[] => [
      { label: 'comma-header', files: [{ name: 'rec.csv', bytes: enc(csvText({ rows: 40, columns: 2 })) }] },
      {
        label: 'semicolon-crlf',
        files: [
          {
            name: 'rec.csv',
            bytes: enc(csvText({ rows: 40, columns: 2, header: false, delimiter: ';', newline: '\r\n' })),
          },
        ],
      },
      {
        label: 'tab-3col',
        files: [
          { name: 'rec.csv', bytes: enc(csvText({ rows: 30, columns: 3, delimiter: '\t', decimals: 1 })) },
        ],
      },
      {
        label: 'one-column',
        files: [
          { name: 'rec.csv', bytes: enc(csvText({ rows: 50, columns: 1, header: false, decimals: 0 })) },
        ],
      },
    ],
    async read(dir) {
      const { readSignalFile } = await import('../datasets/readers/generic/readSignalFile.js');
      const p = join(dir, 'rec.csv');
      const first = readSignalFile(p, 0, { fallbackHz: 250 }, undefined);
      // Files with several columns: the second one too (by name when there is a header).
      const line = readFileSync(p, 'latin1').split('\n', 1)[0] ?? '';
      if (!/[,;\t]/.test(line)) return [first];
      return [first, readSignalFile(p, line.includes('lead1') ? 'lead1' : 1, { fallbackHz: 250 }, undefined)];
    },
    check: checkSignals,
  },
  {
    name: 'edf',
    description: 'EDF and EDF+C files (fixed-width ASCII header, int16 records) through readSignalFile',
    corpus: (): FuzzInput[] => [
      {
        label: 'edf-2sig',
        files: [{ name: 'rec.edf', bytes: edfSeed(false, 4, 16) }],
        fields: edfFields('rec.edf', 2),
      },
      {
        label: 'edf+c-annot',
        files: [{ name: 'rec.edf', bytes: edfSeed(true, 3, 8) }],
        fields: edfFields('rec.edf', 3),
      },
    ],
    async read(dir) {
      const { readSignalFile } = await import('../datasets/readers/generic/readSignalFile.js');
      const p = join(dir, 'rec.edf');
      return [readSignalFile(p, undefined, {}, undefined), readSignalFile(p, 'resp', {}, undefined)];
    },
    check: checkSignals,
  },
  {
    name: 'wfdb',
    description:
      'WFDB records (.hea text + .dat in formats 212, 16, 80; multi-rate frames) through readWfdbSignal',
    corpus: (): FuzzInput[] => {
      const two = (fmt: 212 | 16 | 80, n: number): FuzzInput => {
        const amp = fmt === 80 ? 100 : 1500;
        const { hea, dat } = wfdbFiles('rec', fmt, 360, [
          { adc: testSignal(n, amp), gain: 200, baseline: 1024, description: 'MLII' },
          { adc: testSignal(n, amp, 1), gain: 200, baseline: 0, description: 'V5' },
        ]);
        return {
          label: `fmt${fmt}-2ch-${n}`,
          files: [
            { name: 'rec.hea', bytes: enc(hea) },
            { name: 'rec.dat', bytes: dat },
          ],
        };
      };
      const one = wfdbFiles('rec', 16, 250, [
        { adc: testSignal(51, 2000), gain: 0, baseline: 0, description: 'ECG lead I' },
      ]);
      // drivedb's shape: ECG at 32 samples per frame, a slow channel at 1, another at 2 (frame rate 15.5 Hz).
      const multi = (fmt: 212 | 16): FuzzInput => {
        const { hea, dat } = wfdbFiles('rec', fmt, 15.5, [
          { adc: testSignal(6 * 32, 1500), samplesPerFrame: 32, gain: 1000, baseline: 0, description: 'ECG' },
          { adc: testSignal(6, 1500, 1), gain: 1, baseline: 0, description: 'V5' },
          { adc: testSignal(12, 1500, 2), samplesPerFrame: 2, gain: 100, baseline: 0, description: 'GSR' },
        ]);
        return {
          label: `fmt${fmt}-multirate`,
          files: [
            { name: 'rec.hea', bytes: enc(hea) },
            { name: 'rec.dat', bytes: dat },
          ],
        };
      };
      return [
        two(212, 48),
        two(16, 40),
        two(80, 40),
        {
          label: 'fmt16-1ch-odd',
          files: [
            { name: 'rec.hea', bytes: enc(one.hea) },
            { name: 'rec.dat', bytes: one.dat },
          ],
        },
        multi(16),
        multi(212),
      ];
    },
    async read(dir) {
      const { readWfdbSignal } = await import('../datasets/formats/wfdb.js');
      const p = join(dir, 'rec.hea');
      const a = readWfdbSignal(p, undefined);
      const out = [a];
      if (a.header.signals.length > 1) out.push(readWfdbSignal(p, 'v5'));
      return out;
    },
    check: checkSignals,
  },
  {
    name: 'labels',
    description:
      "a generic dataset's labels.csv (or a data.labelsFile) through readLabelsCsv (numeric, binary, categorical columns; startS,endS; schemes)",
    corpus: (): FuzzInput[] => [
      { label: 'mixed', files: [{ name: 'labels.csv', bytes: enc(LABELS_CSV + '\n') }] },
      {
        label: 'crlf-binary',
        files: [
          { name: 'labels.csv', bytes: enc('subject,recording,stress\r\nA,a1,0\r\nA,a2,1\r\nB,b1,1\r\n') },
        ],
      },
      {
        label: 'semicolon',
        files: [{ name: 'labels.csv', bytes: enc('subject;recording;arousal\nS1;r1;2\nS1;r2;8\nS2;r1;6\n') }],
      },
      {
        label: 'intervals',
        files: [
          {
            name: 'labels.csv',
            bytes: enc(
              'subject,recording,startS,endS,arousal,mood\n100,100,0,300,2.5,rest\n100,100,600,905.5,7,task\n',
            ),
          },
        ],
      },
    ],
    async read(dir) {
      const { readLabelsCsv } = await import('../datasets/readers/generic/labels.js');
      const p = join(dir, 'labels.csv');
      const plain = readLabelsCsv(p, 5);
      // A file with startS,endS is also read as a data.labelsFile (the columns required in every row).
      const asLabelsFile = plain.rows.some((r) => r.startS !== undefined)
        ? [readLabelsCsv(p, 5, { scheme: 'classes', intervals: true, fn: 'labels' })]
        : [];
      return [plain, readLabelsCsv(p, 'median'), readLabelsCsv(p, 5, { scheme: 'classes' }), ...asLabelsFile];
    },
    check(result) {
      for (const r of result as {
        rows: {
          samplingRateHz: number | undefined;
          startS?: number;
          endS?: number;
          labels: Record<string, number>;
        }[];
      }[])
        for (const row of r.rows) {
          if (row.startS !== undefined && !(row.startS >= 0 && (row.endS as number) > row.startS))
            return `interval ${row.startS}-${row.endS}`;
          if (
            row.samplingRateHz !== undefined &&
            !(Number.isFinite(row.samplingRateHz) && row.samplingRateHz > 0)
          )
            return `samplingRateHz ${row.samplingRateHz}`;
          for (const [t, v] of Object.entries(row.labels))
            if (!(Number.isNaN(v) || (Number.isInteger(v) && v >= 0))) return `label ${t} = ${v}`;
        }
      return undefined;
    },
  },
  {
    name: 'generic',
    description: 'a generic dataset folder (labels.csv + .npy/.csv/.edf recordings) through readGeneric',
    corpus: (): FuzzInput[] => [{ label: 'folder', files: genericFolder() }],
    async read(dir) {
      const { readGeneric } = await import('../datasets/readers/generic/index.js');
      const { genericSourceSchema } = await import('../datasets/readers/generic/options.js');
      const source = genericSourceSchema.parse({ kind: 'generic', root: dir, samplingRateHz: 250 });
      const out: { samples: ArrayLike<number>; samplingRateHz: number }[] = [];
      for await (const r of readGeneric(source, {})) out.push(r);
      return out;
    },
    check: checkSignals,
  },
  {
    name: 'config',
    description: 'YAML experiment configs through loadConfig (syntax, anchors/aliases, schema validation)',
    corpus: (): FuzzInput[] => [
      { label: 'quickstart', files: [{ name: 'config.yaml', bytes: enc(CONFIG_QUICKSTART) }] },
      { label: 'generic-flow', files: [{ name: 'config.yaml', bytes: enc(CONFIG_ANCHORS) }] },
      { label: 'wfdb', files: [{ name: 'config.yaml', bytes: enc(CONFIG_WFDB) }] },
    ],
    async read(dir) {
      const { loadConfig } = await import('../config/load.js');
      return loadConfig({ path: join(dir, 'config.yaml') });
    },
  },
];

const mat = (): Record<string, MatSeedValue> => ({
  ECG: { kind: 'double', rows: 24, cols: 2, data: Float64Array.from(testSignal(48, 500), (v) => v / 100) },
  raw: { kind: 'int16', rows: 16, cols: 1, data: testSignal(16, 2000) },
  name: { kind: 'char', text: 'P01 ECG' },
  trials: {
    kind: 'cell',
    items: [
      { kind: 'double', rows: 8, cols: 1, data: Float64Array.from(testSignal(8)) },
      { kind: 'char', text: 'rest' },
    ],
  },
});

/** A DREAMER.mat seed: `DREAMER.Data{1,i}` structs with ECG clips (N x 2), EEG (skipped) and 3 x 1 scores. */
function dreamerSeed(): Record<string, MatSeedValue> {
  const clipOf = (n: number, k: number): MatSeedValue => ({
    kind: 'double',
    rows: n,
    cols: 2,
    data: Float64Array.from(testSignal(2 * n, 400, k), (v) => v / 100),
  });
  const clips = (ns: number[], k: number): MatSeedValue => ({
    kind: 'cell',
    column: true,
    items: ns.map((n, j) => clipOf(n, k + j)),
  });
  const col = (xs: number[]): MatSeedValue => ({
    kind: 'double',
    rows: xs.length,
    cols: 1,
    data: Float64Array.from(xs),
  });
  const subject = (k: number): MatSeedValue => ({
    kind: 'struct',
    fields: {
      EEG: { kind: 'struct', fields: { baseline: clips([4, 4, 4], 9), stimuli: clips([4, 4, 4], 9) } },
      ECG: {
        kind: 'struct',
        fields: { baseline: clips([12, 10, 8], k), stimuli: clips([16, 12, 20], k + 3) },
      },
      ScoreValence: col([1, 4, 5]),
      ScoreArousal: col([3, 2, 4]),
      ScoreDominance: col([5, 5, 2]),
    },
  });
  return {
    DREAMER: {
      kind: 'struct',
      fields: {
        Data: { kind: 'cell', items: [subject(0), subject(6)] },
        ECG_SamplingRate: col([256]),
        noOfSubjects: col([2]),
      },
    },
  };
}

/** A WESAD S<k>.pkl seed: chest ECG (N x 1, f8), Temp (f4), the label array (i4) and the subject. */
function wesadSeed(): PickleSeedValue {
  const n = 48;
  const label = Int32Array.from({ length: n }, (_, i) => [0, 1, 1, 2, 2, 4, 3, 3][i >> 3] ?? 0);
  const array = (dtype: 'f8' | 'f4', data: Float64Array | Float32Array): PickleSeedValue => ({
    kind: 'array',
    dtype,
    shape: [n, 1],
    data,
  });
  return {
    kind: 'dict',
    items: {
      signal: {
        kind: 'dict',
        items: {
          chest: {
            kind: 'dict',
            items: {
              ECG: array(
                'f8',
                Float64Array.from(testSignal(n, 500), (v) => v / 1000),
              ),
              Temp: array('f4', Float32Array.from(testSignal(n, 30, 1))),
            },
          },
          wrist: { kind: 'dict', items: { EDA: array('f8', new Float64Array(n).fill(0.5)) } },
        },
      },
      label: { kind: 'array', dtype: 'i4', shape: [n], data: label },
      subject: { kind: 'str', text: 'S2' },
    },
  };
}

function poly5Fields(file: string): HeaderField[] {
  return POLY5_FIELDS.map((f) => ({ file, ...f }));
}

/** Readers added after the first table (MAT v5, Poly5, SWELL text export): one entry each. */
export const MORE_FUZZ_TARGETS: readonly FuzzTarget[] = [
  {
    name: 'mat',
    description: 'MAT v5 files (numeric, char, cell; plain and zlib-compressed) through readMat',
    corpus: (): FuzzInput[] => [
      { label: 'plain', files: [{ name: 'rec.mat', bytes: matBytes(mat()) }] },
      {
        label: 'compressed',
        files: [{ name: 'rec.mat', bytes: matBytes(mat(), (raw) => new Uint8Array(deflateSync(raw))) }],
      },
    ],
    async read(dir) {
      const { readMat } = await import('../datasets/formats/mat/index.js');
      return readMat(join(dir, 'rec.mat'));
    },
  },
  {
    name: 'poly5',
    description:
      'TMSi Poly5 files (float32 and int16 samples) through readPoly5Chunks + checkFinite (as SWELL)',
    corpus: (): FuzzInput[] => {
      const data = [Float64Array.from(testSignal(60, 800)), Float64Array.from(testSignal(60, 300, 1))];
      const one = (format: 'float32' | 'int16', spb: number): FuzzInput => ({
        label: `${format}-${spb}`,
        files: [
          {
            name: 'rec.poly5',
            bytes: poly5Bytes({ rateHz: 128, names: ['ECG', 'Resp'], data, samplesPerBlock: spb, format }),
          },
        ],
        fields: poly5Fields('rec.poly5'),
      });
      return [one('float32', 16), one('int16', 25)];
    },
    async read(dir) {
      const { readPoly5Chunks, readPoly5Header } = await import('../datasets/formats/poly5.js');
      const { appendCheckedChunks } = await import('../datasets/formats/checkFinite.js');
      const p = join(dir, 'rec.poly5');
      const h = readPoly5Header(p);
      const out: { samples: Float64Array; samplingRateHz: number }[] = [];
      for (const lead of [0, 'resp'] as const) {
        // Each chunk checked for non-finite samples, as the store does.
        const samples = concatFloat64(appendCheckedChunks(readPoly5Chunks(p, lead, 32), p, []));
        out.push({ samples, samplingRateHz: h.sampleRateHz });
      }
      return out;
    },
    check: checkSignals,
  },
  {
    name: 'swell-text',
    description:
      'SWELL "Mobi signals text" files (one sample per line; several columns with a lead) through readSwellTextChunks',
    corpus: (): FuzzInput[] => [
      {
        label: 'one-column',
        files: [
          { name: 'rec.txt', bytes: enc(csvText({ rows: 60, columns: 1, header: false, decimals: 6 })) },
        ],
      },
      {
        label: 'tab-3col-crlf',
        files: [
          {
            name: 'rec.txt',
            bytes: enc(csvText({ rows: 40, columns: 3, header: false, delimiter: '\t', newline: '\r\n' })),
          },
        ],
      },
    ],
    async read(dir) {
      const { readSwellTextChunks, SWELL_TEXT_RATE_HZ } = await import('../datasets/readers/swell/text.js');
      const { appendCheckedChunks } = await import('../datasets/formats/checkFinite.js');
      const p = join(dir, 'rec.txt');
      // Column 1 of multi-column files (data.lead: 1); one-column files ignore the lead.
      const samples = concatFloat64(appendCheckedChunks(readSwellTextChunks(p, 1, 16), p, []));
      return [{ samples, samplingRateHz: SWELL_TEXT_RATE_HZ }];
    },
    check: checkSignals,
  },
  {
    name: 'dreamer',
    description: 'DREAMER.mat (MAT v5 struct of cells of structs; plain and compressed) through readDreamer',
    corpus: (): FuzzInput[] => [
      { label: 'plain', files: [{ name: 'DREAMER.mat', bytes: matBytes(dreamerSeed()) }] },
      {
        label: 'compressed',
        files: [
          {
            name: 'DREAMER.mat',
            bytes: matBytes(dreamerSeed(), (raw) => new Uint8Array(deflateSync(raw))),
          },
        ],
      },
    ],
    async read(dir) {
      const { readDreamer } = await import('../datasets/readers/dreamer/index.js');
      const { checkFinite } = await import('../datasets/formats/checkFinite.js');
      const { dreamerSourceSchema } = await import('../datasets/readers/dreamer/options.js');
      const out: { samples: ArrayLike<number>; samplingRateHz: number }[] = [];
      for (const lead of [0, 1]) {
        const source = dreamerSourceSchema.parse({ kind: 'dreamer', root: dir, lead });
        // Each recording checked for non-finite samples, as the store does.
        for await (const r of readDreamer(source, {})) {
          checkFinite(r.samples, r.source);
          out.push(r);
        }
      }
      return out;
    },
    check: checkSignals,
  },
  {
    name: 'wesad',
    description: 'WESAD S<k>.pkl (Python 2 protocol-2 pickles of numpy arrays) through readWesad',
    corpus: (): FuzzInput[] => [
      { label: 'py2-pickle', files: [{ name: 'S2/S2.pkl', bytes: py2PickleBytes(wesadSeed()) }] },
    ],
    async read(dir) {
      const { readWesad } = await import('../datasets/readers/wesad/index.js');
      const { checkFinite } = await import('../datasets/formats/checkFinite.js');
      const { wesadSourceSchema } = await import('../datasets/readers/wesad/options.js');
      const source = wesadSourceSchema.parse({ kind: 'wesad', root: dir });
      const out: { samples: ArrayLike<number>; samplingRateHz: number }[] = [];
      // Each recording checked for non-finite samples, as the store does.
      for await (const r of readWesad(source, {})) {
        checkFinite(r.samples, r.source);
        out.push(r);
      }
      return out;
    },
    check: checkSignals,
  },
];

/** Every target, the optional ones included when present. */
export function fuzzTargets(): FuzzTarget[] {
  return [...FUZZ_TARGETS, ...MORE_FUZZ_TARGETS];
}

/** The target named `name`, or undefined. */
export function findTarget(name: string): FuzzTarget | undefined {
  return fuzzTargets().find((t) => t.name === name);
}
