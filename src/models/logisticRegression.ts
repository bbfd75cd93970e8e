// L2-regularised logistic regression (binary and multinomial) in plain TypeScript, fitted by Newton's method.
import { InternalError, UserError } from '../errors.js';

/** Settings of {@link fitLogisticRegression}. */
export interface LogisticRegressionArgs {
  /** L2 penalty lambda on the weights (not the intercepts); scikit-learn's 1 / C. Default 1 (C = 1). */
  l2Penalty?: number;
  /** Number of classes (labels 0..numClasses-1); default the largest training label + 1. */
  numClasses?: number;
  /** Newton iterations at most. Default 100. */
  maxIterations?: number;
  /** Converged when every gradient entry is below tolerance x max(1, rows). Default 1e-10. */
  tolerance?: number;
  /**
   * `balanced` weighs each row's loss by rows / (seen classes x rows of its class), scikit-learn's
   * `class_weight='balanced'`, so that a minority class counts as much as a majority one. Default `none`.
   */
  classWeight?: 'none' | 'balanced';
}

/** A fitted model: standardisation, then softmax (or sigmoid) of linear scores. */
export interface LogisticRegressionModel {
  numClasses: number;
  /** The classes seen in training, ascending; classes never seen get probability 0. */
  classes: number[];
  /** Training-set mean and standard deviation (population, 1 where 0) per feature. */
  featureMean: number[];
  featureStd: number[];
  /**
   * Per row of scores, its class, weights (on standardised features) and intercept. Binary: one row, the score of
   * `classes[1]` against `classes[0]` (score 0). Multinomial: one row per seen class, the last intercept 0.
   */
  rows: { classIndex: number; weights: number[]; intercept: number }[];
  iterations: number;
  converged: boolean;
}

interface Problem {
  z: Float64Array[]; // standardised rows
  target: Int32Array; // index into scored classes
  weight: Float64Array; // per-row loss weight
  d: number;
  rows: number; // rows of free parameters
  multinomial: boolean;
  lambda: number;
}

/** Class probabilities of standardised row `zi` over the scored classes (binary: [1 - p, p]). */
function probs(p: Problem, theta: Float64Array, zi: Float64Array): Float64Array {
  const k = p.multinomial ? p.rows : 2;
  const s = new Float64Array(k);
  for (let r = 0; r < p.rows; r++) {
    const o = r * (p.d + 1);
    let v = theta[o + p.d] as number;
    for (let j = 0; j < p.d; j++) v += (theta[o + j] as number) * (zi[j] as number);
    s[p.multinomial ? r : 1] = v;
  }
  let mx = -Infinity;
  for (const v of s) mx = Math.max(mx, v);
  let sum = 0;
  for (let c = 0; c < k; c++) sum += s[c] = Math.exp((s[c] as number) - mx);
  for (let c = 0; c < k; c++) s[c] = (s[c] as number) / sum;
  return s;
}

function objective(p: Problem, theta: Float64Array): number {
  let f = 0;
  p.z.forEach((zi, i) => {
    const pi = probs(p, theta, zi)[p.target[i] as number] as number;
    f -= (p.weight[i] as number) * Math.log(Math.max(pi, 1e-300));
  });
  for (let r = 0; r < p.rows; r++)
    for (let j = 0; j < p.d; j++) f += 0.5 * p.lambda * (theta[r * (p.d + 1) + j] as number) ** 2;
  return f;
}

/** Gradient and Hessian of the penalised negative log-likelihood; the multinomial's last intercept is held at 0. */
function derivatives(p: Problem, theta: Float64Array): { g: Float64Array; h: Float64Array[] } {
  const m = p.rows * (p.d + 1);
  const g = new Float64Array(m);
  const h = Array.from({ length: m }, () => new Float64Array(m));
  const xt = new Float64Array(p.d + 1);
  p.z.forEach((zi, i) => {
    xt.set(zi);
    xt[p.d] = 1;
    const pr = probs(p, theta, zi);
    const wi = p.weight[i] as number;
    const cls = (r: number): number => (p.multinomial ? r : 1);
    for (let r = 0; r < p.rows; r++) {
      const pk = pr[cls(r)] as number;
      const resid = wi * (pk - (p.target[i] === cls(r) ? 1 : 0));
      for (let a = 0; a <= p.d; a++)
        g[r * (p.d + 1) + a] = (g[r * (p.d + 1) + a] as number) + resid * (xt[a] as number);
      for (let q = 0; q < p.rows; q++) {
        const w = wi * pk * ((r === q ? 1 : 0) - (pr[cls(q)] as number));
        for (let a = 0; a <= p.d; a++) {
          const row = h[r * (p.d + 1) + a] as Float64Array;
          const wa = w * (xt[a] as number);
          for (let b = 0; b <= p.d; b++)
            row[q * (p.d + 1) + b] = (row[q * (p.d + 1) + b] as number) + wa * (xt[b] as number);
        }
      }
    }
  });
  for (let r = 0; r < p.rows; r++)
    for (let j = 0; j < p.d; j++) {
      const k = r * (p.d + 1) + j;
      g[k] = (g[k] as number) + p.lambda * (theta[k] as number);
      (h[k] as Float64Array)[k] = ((h[k] as Float64Array)[k] as number) + p.lambda;
    }
  if (p.multinomial) {
    const k = m - 1; // fixed parameter: zero gradient, identity row/column
    g[k] = 0;
    for (let j = 0; j < m; j++) (h[k] as Float64Array)[j] = (h[j] as Float64Array)[k] = 0;
    (h[k] as Float64Array)[k] = 1;
  }
  return { g, h };
}

/** Solves H s = g for a symmetric positive definite H (Cholesky). */
function choleskySolve(h: Float64Array[], g: Float64Array): Float64Array {
  const m = g.length;
  const l = Array.from({ length: m }, () => new Float64Array(m));
  for (let i = 0; i < m; i++)
    for (let j = 0; j <= i; j++) {
      let s = (h[i] as Float64Array)[j] as number;
      for (let k = 0; k < j; k++)
        s -= ((l[i] as Float64Array)[k] as number) * ((l[j] as Float64Array)[k] as number);
      if (i === j) (l[i] as Float64Array)[i] = Math.sqrt(Math.max(s, 1e-300));
      else (l[i] as Float64Array)[j] = s / ((l[j] as Float64Array)[j] as number);
    }
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = g[i] as number;
    for (let k = 0; k < i; k++) s -= ((l[i] as Float64Array)[k] as number) * (y[k] as number);
    y[i] = s / ((l[i] as Float64Array)[i] as number);
  }
  for (let i = m - 1; i >= 0; i--) {
    let s = y[i] as number;
    for (let k = i + 1; k < m; k++) s -= ((l[k] as Float64Array)[i] as number) * (y[k] as number);
    y[i] = s / ((l[i] as Float64Array)[i] as number);
  }
  return y;
}

/** Damped Newton: full steps, halved until the objective decreases sufficiently (Armijo). */
function newton(
  p: Problem,
  maxIterations: number,
  tolerance: number,
): { theta: Float64Array; iterations: number; converged: boolean } {
  let theta = new Float64Array(p.rows * (p.d + 1));
  let f = objective(p, theta);
  const gTol = tolerance * Math.max(1, p.z.length);
  for (let it = 0; it < maxIterations; it++) {
    const { g, h } = derivatives(p, theta);
    let gMax = 0;
    for (const v of g) gMax = Math.max(gMax, Math.abs(v));
    if (gMax <= gTol) return { theta, iterations: it, converged: true };
    const step = choleskySolve(h, g);
    let dec = 0;
    step.forEach((s, k) => (dec += s * (g[k] as number)));
    let t = 1;
    for (;;) {
      const next = theta.map((v, k) => v - t * (step[k] as number));
      const fNext = objective(p, next);
      if (fNext <= f - 1e-4 * t * dec || t < 1e-12) {
        const stalled = f - fNext <= 1e-15 * Math.abs(f);
        theta = next;
        f = fNext;
        if (stalled) return { theta, iterations: it + 1, converged: true };
        break;
      }
      t /= 2;
    }
  }
  return { theta, iterations: maxIterations, converged: false };
}

function checkInputs(
  x: readonly ArrayLike<number>[],
  y: ArrayLike<number>,
  numClasses: number | undefined,
): number {
  if (x.length === 0) throw new UserError('fitLogisticRegression: no training rows');
  if (x.length !== y.length)
    throw new InternalError(`fitLogisticRegression: ${x.length} rows but ${y.length} labels`);
  const d = (x[0] as ArrayLike<number>).length;
  let maxLabel = 0;
  x.forEach((row, i) => {
    if (row.length !== d)
      throw new InternalError(`fitLogisticRegression: row ${i} has ${row.length} features, row 0 has ${d}`);
    for (let j = 0; j < d; j++)
      if (!Number.isFinite(row[j] as number))
        throw new UserError(
          `fitLogisticRegression: feature ${j} of row ${i} is ${row[j]}; features must be finite`,
        );
    const v = y[i] as number;
    if (!Number.isInteger(v) || v < 0)
      throw new UserError(`fitLogisticRegression: label ${i} is ${v}; labels must be integers >= 0`);
    maxLabel = Math.max(maxLabel, v);
  });
  const k = numClasses ?? maxLabel + 1;
  if (maxLabel >= k)
    throw new UserError(`fitLogisticRegression: label ${maxLabel} is out of range for ${k} classes`);
  return k;
}

function rowWeights(target: Int32Array, seen: number, rule: 'none' | 'balanced'): Float64Array {
  if (rule === 'none') return new Float64Array(target.length).fill(1);
  if (rule !== 'balanced')
    throw new UserError(
      `fitLogisticRegression: classWeight must be 'none' or 'balanced', got ${String(rule)}`,
    );
  const counts = new Array<number>(seen).fill(0);
  for (const t of target) counts[t] = (counts[t] as number) + 1;
  return Float64Array.from(target, (t) => target.length / (seen * (counts[t] as number)));
}

/**
 * Fits an L2-regularised logistic regression: features standardised with the training mean and (population)
 * standard deviation, then the penalised negative log-likelihood sum_i -log p(y_i | x_i) + lambda/2 ||W||^2
 * (scikit-learn's objective with C = 1/lambda, intercepts not penalised; each log-loss weighted by classWeight) minimised by damped Newton iterations
 * from zero: deterministic. Two seen classes give the binomial (sigmoid) model, more the multinomial (softmax)
 * one; classes absent from training get probability 0, and a single seen class is predicted always.
 */
export function fitLogisticRegression(
  x: readonly ArrayLike<number>[],
  y: ArrayLike<number>,
  args: LogisticRegressionArgs = {},
): LogisticRegressionModel {
  const numClasses = checkInputs(x, y, args.numClasses);
  const lambda = args.l2Penalty ?? 1;
  if (!(lambda > 0 && Number.isFinite(lambda)))
    throw new UserError(`fitLogisticRegression: l2Penalty must be a positive number, got ${lambda}`);
  const d = (x[0] as ArrayLike<number>).length;
  const featureMean = new Array<number>(d).fill(0);
  const featureStd = new Array<number>(d).fill(0);
  for (const row of x)
    for (let j = 0; j < d; j++) featureMean[j] = (featureMean[j] as number) + (row[j] as number) / x.length;
  for (const row of x)
    for (let j = 0; j < d; j++)
      featureStd[j] =
        (featureStd[j] as number) + ((row[j] as number) - (featureMean[j] as number)) ** 2 / x.length;
  for (let j = 0; j < d; j++)
    featureStd[j] = Math.sqrt(featureStd[j] as number) > 0 ? Math.sqrt(featureStd[j] as number) : 1;
  const classes = [...new Set(Array.from(y))].sort((a, b) => a - b);
  const base = { numClasses, classes, featureMean, featureStd };
  if (classes.length === 1) return { ...base, rows: [], iterations: 0, converged: true };
  const multinomial = classes.length > 2;
  const target = Int32Array.from(Array.from(y), (v) => classes.indexOf(v));
  const p: Problem = {
    z: x.map((row) =>
      Float64Array.from(
        { length: d },
        (_, j) => ((row[j] as number) - (featureMean[j] as number)) / (featureStd[j] as number),
      ),
    ),
    target,
    weight: rowWeights(target, classes.length, args.classWeight ?? 'none'),
    d,
    rows: multinomial ? classes.length : 1,
    multinomial,
    lambda,
  };
  const fit = newton(p, args.maxIterations ?? 100, args.tolerance ?? 1e-10);
  const rows = Array.from({ length: p.rows }, (_, r) => ({
    classIndex: classes[multinomial ? r : 1] as number,
    weights: Array.from(fit.theta.subarray(r * (d + 1), r * (d + 1) + d)),
    intercept: fit.theta[r * (d + 1) + d] as number,
  }));
  return { ...base, rows, iterations: fit.iterations, converged: fit.converged };
}

/** Class probabilities (one row of numClasses values per input row) of a fitted {@link fitLogisticRegression} model. */
export function predictProbaLogisticRegression(
  model: LogisticRegressionModel,
  x: readonly ArrayLike<number>[],
): number[][] {
  const d = model.featureMean.length;
  return x.map((row, i) => {
    if (row.length !== d)
      throw new InternalError(
        `predictProbaLogisticRegression: row ${i} has ${row.length} features, the model ${d}`,
      );
    const out = new Array<number>(model.numClasses).fill(0);
    if (model.rows.length === 0) {
      out[model.classes[0] as number] = 1;
      return out;
    }
    const scores = model.rows.map((r) => {
      let v = r.intercept;
      for (let j = 0; j < d; j++)
        v +=
          (r.weights[j] as number) *
          (((row[j] as number) - (model.featureMean[j] as number)) / (model.featureStd[j] as number));
      return v;
    });
    const cls = model.rows.length === 1 ? model.classes : model.rows.map((r) => r.classIndex);
    if (model.rows.length === 1) scores.unshift(0);
    const mx = Math.max(...scores);
    const e = scores.map((s) => Math.exp(s - mx));
    const sum = e.reduce((a, b) => a + b, 0);
    cls.forEach((c, k) => (out[c] = (e[k] as number) / sum));
    return out;
  });
}

/** Most probable class per row (ties: the lower class). */
export function predictLogisticRegression(
  model: LogisticRegressionModel,
  x: readonly ArrayLike<number>[],
): number[] {
  return predictProbaLogisticRegression(model, x).map((p) => p.indexOf(Math.max(...p)));
}
