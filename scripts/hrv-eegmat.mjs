#!/usr/bin/env node
// Measures the heart-rate reference arm on eegmat-dev (rest vs mental arithmetic) in subject-independent folds.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
if (!existsSync(join(root, 'dist/index.js'))) {
  console.error('hrv-eegmat: dist/index.js is missing; run `npm run build` first');
  process.exit(1);
}
const lib = await import(pathToFileURL(join(root, 'dist/index.js')).href);

/*
 * `npm run build && node scripts/hrv-eegmat.mjs [--data DIR] [--rate 256|native] [--folds loso|pairs] [--l2 1]
 * [--class-weight none|balanced] [--exclude Subject02,Subject13] [--json]`:
 * measures the heart-rate reference arm (R peaks, mean HR, SDNN, RMSSD, pNN50, each also minus the subject mean,
 * L2 logistic regression) on eegmat-dev, rest vs mental arithmetic, in subject-independent folds. Windows: the
 * pipeline's (resampled to 256 Hz, 0.8 Hz order-4 zero-phase high-pass, 10 s non-overlapping from each recording's
 * start) or, with --rate native, the same at the recording's 500 Hz. Results on stdout, progress on stderr.
 */
function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const dataDir = resolve(option('data', join(root, 'test/fixtures/real/eegmat-dev')));
const rateOption = option('rate', '256');
const foldsOption = option('folds', 'loso');
const l2Penalty = Number(option('l2', '1'));
const classWeight = option('class-weight', 'none');
const json = process.argv.includes('--json');
const excluded = option('exclude', '').split(',').filter(Boolean);
if (!existsSync(join(dataDir, 'labels.csv'))) {
  console.error(`hrv-eegmat: no labels.csv in ${dataDir}; pass --data <eegmat-dev folder>`);
  process.exit(1);
}

/** Windows of one recording, filtered as the pipeline filters them (METHOD §1), at the chosen rate. */
function recordingWindows(path) {
  const r = lib.readEdfSignal(path, 'ECG ECG');
  const rateHz = rateOption === 'native' ? r.samplingRateHz : Number(rateOption);
  const x = rateHz === r.samplingRateHz ? r.samples : lib.resample(r.samples, r.samplingRateHz, rateHz);
  const filtered = lib.highpass(x, { cutoffHz: 0.8, rateHz, order: 4 });
  const windowSamples = Math.round(10 * rateHz);
  const windows = lib.windowize(filtered, { windowSamples, overlapSamples: 0 });
  return { rateHz, windows: windows.map((w) => Float64Array.from(w)) };
}

const { rows } = lib.readLabelsCsv(join(dataDir, 'labels.csv'), 'median');
const windows = [];
let rateHz = 0;
for (const row of rows.filter((r) => !excluded.includes(r.subject))) {
  const rec = recordingWindows(join(dataDir, `${row.recording}.edf`));
  rateHz = rec.rateHz;
  for (const w of rec.windows) {
    const hrv = lib.hrvFeatures(lib.detectRPeaks(w, rec.rateHz), rec.rateHz);
    windows.push({ subject: row.subject, recording: row.recording, label: row.labels.stress, hrv });
  }
  console.error(`hrv-eegmat: ${row.recording}: ${rec.windows.length} windows`);
}
const relative = lib.subjectRelativeFeatures(
  windows.map((w) => w.hrv),
  windows.map((w) => w.subject),
);
const noFeatures = windows.filter((w) => !w.hrv.ok);
const subjects = [...new Set(windows.map((w) => w.subject))].sort();
const folds =
  foldsOption === 'pairs'
    ? Array.from({ length: Math.ceil(subjects.length / 2) }, (_, k) => subjects.slice(2 * k, 2 * k + 2))
    : subjects.map((s) => [s]);

/** Pooled out-of-fold predictions of one feature set over the subject-independent folds. */
function evaluate(vector) {
  const yTrue = [];
  const yPred = [];
  const perFold = [];
  for (const testSubjects of folds) {
    const train = [];
    const test = [];
    windows.forEach((w, i) => {
      const r = relative[i];
      if (!r.ok) return;
      (testSubjects.includes(w.subject) ? test : train).push({ x: vector(r), y: w.label });
    });
    const model = lib.fitLogisticRegression(
      train.map((t) => t.x),
      train.map((t) => t.y),
      { l2Penalty, numClasses: 2, classWeight },
    );
    const pred = lib.predictLogisticRegression(
      model,
      test.map((t) => t.x),
    );
    const truth = test.map((t) => t.y);
    yTrue.push(...truth);
    yPred.push(...pred);
    perFold.push(lib.scoreClassification(truth, pred, 2));
  }
  const pooled = lib.scoreClassification(yTrue, yPred, 2);
  const mean = (k) => perFold.reduce((a, s) => a + s[k], 0) / perFold.length;
  return {
    windows: yTrue.length,
    pooledAccuracy: pooled.accuracy,
    pooledF1Macro: pooled.f1Macro,
    foldMeanAccuracy: mean('accuracy'),
    foldMeanF1Macro: mean('f1Macro'),
    confusion: pooled.confusion,
  };
}

const sets = {
  'absolute (4)': (r) => lib.hrvFeatureVector(r.features),
  'relative (4)': (r) => lib.hrvFeatureVector(r.relative),
  'absolute + relative (8, the arm)': (r) => lib.hrvRelativeFeatureVector(r),
};
const results = Object.fromEntries(Object.entries(sets).map(([name, f]) => [name, evaluate(f)]));
const labelled = windows.filter((w) => w.hrv.ok);
const rest = labelled.filter((w) => w.label === 0).length;
const majority = lib.scoreClassification(
  labelled.map((w) => w.label),
  labelled.map(() => 0),
  2,
);
const summary = {
  data: dataDir,
  rateHz,
  windowSamples: Math.round(10 * rateHz),
  folds: `${foldsOption} (${folds.length} folds)`,
  excludedSubjects: excluded,
  l2Penalty,
  classWeight,
  windows: windows.length,
  windowsWithoutFeatures: noFeatures.map((w) => `${w.recording}: ${w.hrv.reason}`),
  classCounts: { rest, arithmetic: labelled.length - rest },
  majorityClass: { accuracy: majority.accuracy, f1Macro: majority.f1Macro },
  results,
};
if (json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
else {
  const pct = (v) => (100 * v).toFixed(1).padStart(5);
  console.log(
    `eegmat-dev rest vs arithmetic, ${summary.windows} windows of 10 s at ${rateHz} Hz ` +
      `(${noFeatures.length} without features), ${summary.folds}, L2 ${l2Penalty}, class weight ${classWeight}` +
      (excluded.length > 0 ? `, excluded ${excluded.join(' ')}` : ''),
  );
  console.log(`class counts: rest ${rest}, arithmetic ${labelled.length - rest}`);
  console.log('features                           pooled acc  pooled F1  fold-mean acc  fold-mean F1');
  console.log(
    `${'majority class (always rest)'.padEnd(35)}${pct(majority.accuracy)} %   ${pct(majority.f1Macro)} %`,
  );
  for (const [name, r] of Object.entries(results))
    console.log(
      `${name.padEnd(35)}${pct(r.pooledAccuracy)} %   ${pct(r.pooledF1Macro)} %      ${pct(r.foldMeanAccuracy)} %       ${pct(r.foldMeanF1Macro)} %`,
    );
  for (const s of summary.windowsWithoutFeatures) console.log(`no features: ${s}`);
}
