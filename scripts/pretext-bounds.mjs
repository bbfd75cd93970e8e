#!/usr/bin/env node
// How far a detector of one window statistic can get: amplitude (scale, original), polarity (negate), rhythm (time-warp).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
if (!existsSync(join(root, 'dist/index.js'))) {
  console.error('pretext-bounds: dist/index.js is missing; run `npm run build` first');
  process.exit(1);
}
const lib = await import(pathToFileURL(join(root, 'dist/index.js')).href);

/*
 * `npm run build && node scripts/pretext-bounds.mjs [--config configs/pretrain-real.yaml] [--json]`
 *
 * The scale transformation multiplies a window by 1.1 (METHOD §2). On per-subject normalised windows nothing but the
 * window's absolute amplitude tells x from 1.1 x (every scale-invariant feature is identical), so the scale head, and
 * the original head (which must tell x from 1.1 x), can do no better than the best detector that sees the amplitude.
 * This script applies the configured transformations (the project's table and seeded Rng) to every window of the
 * config's data (data + pretrain.extraData, as pretraining sees them), measures each sample's amplitude, and reports
 * the best F1 over all thresholds (chosen on the same windows: an optimistic ceiling) of:
 *   - scale head: "is this sample scaled?" among all 7 samples of each window (chance: always yes, F1 0.25);
 *   - original head, amplitude part: "is this sample the original?" against the scaled copies only (the other five
 *     transformations assumed perfectly rejected);
 * with the amplitude taken as is (what one window shows), relative to its subject's median, or relative to its
 * recording's median (oracles a network does not have). Amplitude statistics: RMS, median per-second peak-to-peak,
 * 99th percentile of |x|. Also the spread (std of log amplitude) within each grouping, against log(1.1) = 0.095.
 *
 * Negation has the same kind of limit when recordings differ in polarity (electrode placement, an inverted lead):
 * -x of a recording with upright QRS complexes looks like x of one with inverted complexes. The polarity statistics
 * (skewness; log of the largest excursion above the median over the largest below it) show how many original
 * windows look "negated" and the best F1 of a polarity threshold for the negate head (one positive in seven),
 * as one window shows it and relative to its subject's or recording's median polarity.
 *
 * Time-warping stretches 5 of 9 segments by 1.05 and squeezes the other 4 by 1/1.05: beats in neighbouring segments
 * differ in length by up to 10 %, and QRS complexes by about one sample at 256 Hz. Natural beat-to-beat variation
 * (sinus arrhythmia) is of the same size. The rhythm statistic (RMSSD / mean RR of the R peaks detectRPeaks finds in
 * the sample) gives the best F1 of "irregular rhythm" for the time-warp head, against all other samples (one
 * positive in seven; permutation also breaks the rhythm) and against the original windows only, with its spread.
 */
function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const configPath = option('config', join(root, 'configs/pretrain-real.yaml'));
const json = process.argv.includes('--json');

/** Amplitude statistics of one sample (natural log). */
const STATISTICS = {
  rms: (x) => {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i] * x[i];
    return 0.5 * Math.log(s / x.length);
  },
  peakToPeak1s: (x, rateHz) => {
    const pp = [];
    for (let a = 0; a + rateHz <= x.length; a += rateHz) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = a; i < a + rateHz; i++) {
        lo = Math.min(lo, x[i]);
        hi = Math.max(hi, x[i]);
      }
      pp.push(hi - lo);
    }
    return Math.log(Math.max(median(pp), 1e-12));
  },
  p99Abs: (x) => {
    const a = Float64Array.from(x, Math.abs).sort();
    return Math.log(Math.max(a[Math.floor(0.99 * (a.length - 1))], 1e-12));
  },
};

/** Polarity statistics of one sample: positive for upright QRS complexes; negation flips their sign. */
const POLARITY = {
  skewness: (x) => {
    let m = 0;
    for (let i = 0; i < x.length; i++) m += x[i];
    m /= x.length;
    let m2 = 0;
    let m3 = 0;
    for (let i = 0; i < x.length; i++) {
      const d = x[i] - m;
      m2 += d * d;
      m3 += d * d * d;
    }
    m2 /= x.length;
    return m2 > 0 ? m3 / x.length / m2 ** 1.5 : 0;
  },
  peakRatio: (x) => {
    const c = median(x);
    let hi = 0;
    let lo = 0;
    for (let i = 0; i < x.length; i++) {
      hi = Math.max(hi, x[i] - c);
      lo = Math.max(lo, c - x[i]);
    }
    return Math.log(Math.max(hi, 1e-12) / Math.max(lo, 1e-12));
  },
};

/** Rhythm irregularity of one sample: log(RMSSD / mean RR) of its detected R peaks (-10 with fewer than 3 beats). */
function rhythm(x, rateHz) {
  const peaks = lib.detectRPeaks(Float64Array.from(x), rateHz);
  if (peaks.length < 3) return -10;
  const rr = [];
  for (let i = 1; i < peaks.length; i++) rr.push(peaks[i] - peaks[i - 1]);
  let sq = 0;
  for (let i = 1; i < rr.length; i++) sq += (rr[i] - rr[i - 1]) ** 2;
  const mean = rr.reduce((a, b) => a + b, 0) / rr.length;
  return Math.log(Math.max(Math.sqrt(sq / Math.max(1, rr.length - 1)) / mean, 1e-6));
}

/** Best F1 over thresholds of "value > t" (higher = positive) for labelled values. */
function bestF1(values, positive) {
  const order = values.map((_, i) => i).sort((a, b) => values[b] - values[a]);
  const p = positive.filter(Boolean).length;
  let tp = 0;
  let fp = 0;
  let best = 0;
  for (const i of order) {
    if (positive[i]) tp++;
    else fp++;
    best = Math.max(best, (2 * tp) / (tp + fp + p));
  }
  return best;
}

/** The median of each group's original (untransformed) windows (`originals[w]` belongs to `groups[w]`). */
function groupMedians(groups, originals) {
  const byGroup = new Map();
  originals.forEach((v, w) => {
    if (!byGroup.has(groups[w])) byGroup.set(groups[w], []);
    byGroup.get(groups[w]).push(v);
  });
  return new Map([...byGroup].map(([g, v]) => [g, median(v)]));
}

/** Per sample (7 per window, in transformation order): whether it has transformation `index`. */
function isHead(index) {
  return Array.from({ length: windows * 7 }, (_, k) => k % 7 === index);
}

/**
 * `f` of the values as one window shows them (`window`) and relative to the median original of the window's
 * subject (`subject`) or recording (`recording`), keyed by those names.
 */
function perGrouping(values, f) {
  const originals = values.filter((_, i) => i % 7 === 0);
  const groupings = [
    ['window', null],
    ['subject', subjects],
    ['recording', recordings],
  ];
  return Object.fromEntries(
    groupings.map(([name, groups]) => [name, f(groups ? relativeTo(groups, originals, values) : values)]),
  );
}

/** Each value minus the median of its group's original (untransformed) windows. */
function relativeTo(groups, originals, values) {
  const centre = groupMedians(groups, originals);
  return values.map((v, k) => v - centre.get(groups[Math.floor(k / 7)]));
}

function median(v) {
  const a = Float64Array.from(v).sort();
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
}

function std(v) {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
}

const { config } = await lib.loadConfig({ path: configPath });
const { labelled, extra } = await lib.loadStores(config, { progress: false });
const names = lib.TRANSFORMATIONS.map((t) => t.name);
const scaleIndex = names.indexOf('scale');
const rng = lib.deriveRng(config.seed, 0x70b0); // this script's own stream of the master seed
const stats = Object.fromEntries(Object.keys(STATISTICS).map((k) => [k, []]));
const polarity = Object.fromEntries(Object.keys(POLARITY).map((k) => [k, []]));
const negateIndex = names.indexOf('negate');
const warpIndex = names.indexOf('timeWarp');
const rhythms = [];
const subjects = [];
const recordings = [];
for (const [s, store] of [labelled, ...extra].entries()) {
  const ws = store.windowSamples;
  for (let w = 0; w < store.entries.length; w++) {
    const x = store.read([w]);
    const e = store.entries[w];
    subjects.push(`${s}/${e.subject}`);
    recordings.push(`${s}/${e.subject}/${e.recording}`);
    for (let t = 0; t < names.length; t++) {
      const y = lib.applyTransformation(t, x, config.transformations, rng, new Float32Array(ws));
      for (const [k, f] of Object.entries(STATISTICS)) stats[k].push(f(y, store.samplingRateHz));
      for (const [k, f] of Object.entries(POLARITY)) polarity[k].push(f(y));
      rhythms.push(rhythm(y, store.samplingRateHz));
    }
  }
  store.close();
}
const windows = subjects.length;
const isScaled = isHead(scaleIndex);
const report = {
  config: configPath,
  windows,
  logScale: Math.log(config.transformations.scale.factor),
  statistics: {},
};
for (const [k, values] of Object.entries(stats)) {
  report.statistics[k] = perGrouping(values, (v) => {
    const pairIdx = v.map((_, i) => i).filter((i) => i % 7 === 0 || i % 7 === scaleIndex);
    return {
      spreadLog: std(v.filter((_, i) => i % 7 === 0)),
      scaleHeadF1: bestF1(v, isScaled),
      originalHeadF1: bestF1(
        pairIdx.map((i) => -v[i]),
        pairIdx.map((i) => i % 7 === 0),
      ),
    };
  });
}
report.negate = negateBounds();
report.timeWarp = timeWarpBounds();
if (json) console.log(JSON.stringify(report, null, 2));
else {
  console.log(
    `${windows} windows of ${configPath}; log(${config.transformations.scale.factor}) = ${report.logScale.toFixed(3)}`,
  );
  console.log('statistic      amplitude seen    spread(log)  scale F1  original F1');
  for (const [k, out] of Object.entries(report.statistics))
    for (const [g, r] of Object.entries(out))
      console.log(
        `${k.padEnd(14)} ${(g === 'window' ? 'as is' : `relative to ${g}`).padEnd(22)} ${r.spreadLog.toFixed(3).padStart(6)}  ${r.scaleHeadF1.toFixed(3).padStart(8)}  ${r.originalHeadF1.toFixed(3).padStart(11)}`,
      );
  console.log('rhythm log(RMSSD/RR)  seen as                spread  time-warp F1  vs original only');
  for (const [g, r] of Object.entries(report.timeWarp))
    console.log(
      `${''.padEnd(21)} ${(g === 'window' ? 'as is' : `relative to ${g}`).padEnd(22)} ${r.spreadLog.toFixed(3).padStart(6)}  ${r.timeWarpHeadF1.toFixed(3).padStart(12)}  ${r.vsOriginalF1.toFixed(3).padStart(16)}`,
    );
  console.log('statistic      polarity seen          originals < 0  negate F1');
  for (const [k, { subjectsWithNegativeMedian, subjects: n, ...out }] of Object.entries(report.negate)) {
    console.log(`${k}: ${subjectsWithNegativeMedian} of ${n} subjects have a negative median polarity`);
    for (const [g, r] of Object.entries(out))
      console.log(
        `${k.padEnd(14)} ${(g === 'window' ? 'as is' : `relative to ${g}`).padEnd(22)} ${r.originalsBelowZero.toFixed(3).padStart(13)}  ${r.negateHeadF1.toFixed(3).padStart(9)}`,
      );
  }
}

/**
 * Per polarity statistic and grouping: the share of original windows whose polarity is below 0 (they look
 * negated; relative to a group's median, below that median) and the best F1 of "polarity < t" for the negate head.
 */
function negateBounds() {
  const isNegated = isHead(negateIndex);
  const out = {};
  for (const [k, values] of Object.entries(polarity)) {
    const originals = values.filter((_, i) => i % 7 === 0);
    const bySubject = groupMedians(subjects, originals);
    out[k] = {
      subjectsWithNegativeMedian: [...bySubject.values()].filter((m) => m < 0).length,
      subjects: bySubject.size,
      ...perGrouping(values, (v) => {
        const orig = v.filter((_, i) => i % 7 === 0);
        return {
          originalsBelowZero: orig.filter((x) => x < 0).length / orig.length,
          negateHeadF1: bestF1(
            v.map((x) => -x),
            isNegated,
          ),
        };
      }),
    };
  }
  return out;
}

/** Per grouping: the spread of the originals' rhythm statistic and the best F1 of "irregular" for the time-warp head. */
function timeWarpBounds() {
  const isWarped = isHead(warpIndex);
  return perGrouping(rhythms, (v) => {
    const pairIdx = v.map((_, i) => i).filter((i) => i % 7 === 0 || i % 7 === warpIndex);
    return {
      spreadLog: std(v.filter((_, i) => i % 7 === 0 && v[i] > -10)),
      timeWarpHeadF1: bestF1(v, isWarped),
      vsOriginalF1: bestF1(
        pairIdx.map((i) => v[i]),
        pairIdx.map((i) => i % 7 === warpIndex),
      ),
    };
  });
}
