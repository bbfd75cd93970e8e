// Tests of the plain-TypeScript L2 logistic regression: hand-checkable optima and scipy reference values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fitLogisticRegression,
  predictLogisticRegression,
  predictProbaLogisticRegression,
} from '../../src/models/logisticRegression.js';
import { InternalError, UserError } from '../../src/errors.js';

function close(a: number, b: number, tol: number, what: string): void {
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);
}

test('logistic regression: hand-checkable optima', () => {
  // Uninformative (constant) feature: weight 0, intercept = logit of the class frequency 3/4 = ln 3.
  const m0 = fitLogisticRegression([[2], [2], [2], [2]], [1, 1, 1, 0]);
  assert.ok(m0.converged);
  close(m0.rows[0]!.intercept, Math.log(3), 1e-10, 'intercept');
  close(m0.rows[0]!.weights[0]!, 0, 1e-12, 'weight');
  close(predictProbaLogisticRegression(m0, [[7]])[0]![1]!, 0.75, 1e-10, 'p');
  // Two symmetric points (standardised to -1, +1), lambda = 1: b = 0 and w solves w = 2 sigmoid(-w).
  const m1 = fitLogisticRegression([[10], [30]], [0, 1], { l2Penalty: 1 });
  const w = m1.rows[0]!.weights[0]!;
  close(m1.rows[0]!.intercept, 0, 1e-12, 'b');
  close(w, 2 / (1 + Math.exp(w)), 1e-12, 'w = 2 sigmoid(-w)');
  assert.ok(w > 0.5 && w < 1.5);
  assert.deepEqual(predictLogisticRegression(m1, [[0], [19], [21], [50]]), [0, 0, 1, 1]);
  // One class seen: always that class; an unseen class gets probability 0.
  const m2 = fitLogisticRegression([[1], [2]], [2, 2], { numClasses: 3 });
  assert.deepEqual(predictProbaLogisticRegression(m2, [[5]]), [[0, 0, 1]]);
});

const X = [
  [0.5, 1.2, -0.3],
  [1.5, 0.2, 0.8],
  [-0.7, 2.2, 1.1],
  [2.0, -1.0, 0.0],
  [0.1, 0.4, -1.2],
  [1.1, 1.9, 0.6],
  [-1.3, 0.3, 0.9],
  [0.8, -0.6, -0.4],
  [2.4, 1.1, 1.7],
  [-0.2, -1.4, 0.3],
  [1.7, 0.9, -0.8],
  [-0.9, 1.6, -0.1],
];
const XT = [
  [0, 0, 0],
  [1, -0.5, 0.5],
  [-1, 2, 1],
];

// Expected values: /usr/bin/python3 with scipy 1.10 minimising the same objective (features standardised with
// mean and population std, sum of log-losses + 0.5 * 0.5 * ||W||^2, intercepts unpenalised, the multinomial's last
// intercept 0) by scipy.optimize.minimize(method='BFGS', options={'gtol': 1e-12}) from zeros; script:
// X as above; Z = (X - X.mean(0)) / X.std(0); binary f(t) = sum(logaddexp(0, Z@w + b) - y*(Z@w + b)) + 0.25*w@w;
// multinomial f(t) = sum(logsumexp(S, 1) - S[i, y_i]) + 0.25*sum(W*W), S = Z@W.T + [b0, b1, 0].
test('logistic regression, binary: matches scipy BFGS on the same objective', () => {
  const y = [0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0];
  const m = fitLogisticRegression(X, y, { l2Penalty: 0.5 });
  assert.ok(m.converged && m.iterations < 20, `iterations ${m.iterations}`);
  const wRef = [1.16134016649585, 0.7952591162269674, 0.6564606310223531];
  wRef.forEach((v, j) => close(m.rows[0]!.weights[j]!, v, 1e-6, `w${j}`));
  close(m.rows[0]!.intercept, 0.08757330636198467, 1e-6, 'b');
  const pRef = [0.25152899788603683, 0.48979679866832027, 0.5445383592396539];
  predictProbaLogisticRegression(m, XT).forEach((p, i) => {
    close(p[1]!, pRef[i]!, 1e-7, `p1 row ${i}`);
    close(p[0]! + p[1]!, 1, 1e-12, 'sum');
  });
  assert.deepEqual(predictLogisticRegression(m, XT), [0, 0, 1]);
});

test('logistic regression, multinomial (3 classes): matches scipy BFGS on the same objective', () => {
  const y = [0, 1, 2, 1, 0, 2, 2, 1, 2, 0, 1, 0];
  const m = fitLogisticRegression(X, y, { l2Penalty: 0.5 });
  assert.ok(m.converged);
  const wRef = [
    [-0.9337521899956223, -0.07441608344099755, -0.948839945578556],
    [1.336011604973151, -0.6674694559654384, -0.5587485079888804],
    [-0.4022595736573816, 0.7418854082939549, 1.507588380439218],
  ];
  wRef.forEach((row, k) => row.forEach((v, j) => close(m.rows[k]!.weights[j]!, v, 1e-6, `W${k}${j}`)));
  const pRef = [
    [0.6686209611203696, 0.21414456357642273, 0.11723447530320759],
    [0.1749906391558283, 0.6712412172382439, 0.1537681436059277],
    [0.086972214722308, 0.0021253109236284936, 0.9109024743540637],
  ];
  predictProbaLogisticRegression(m, XT).forEach((p, i) =>
    p.forEach((v, k) => close(v, pRef[i]![k]!, 1e-7, `p[${i}][${k}]`)),
  );
  assert.deepEqual(predictLogisticRegression(m, XT), [0, 1, 2]);
  // deterministic: a refit gives identical numbers
  assert.deepEqual(fitLogisticRegression(X, y, { l2Penalty: 0.5 }), m);
});

// Expected: the binary objective above with lambda = 1 and each log-loss weighted n / (2 n_class) (3 of 12 rows in
// class 1: weights 2 and 2/3), scikit-learn's class_weight='balanced'; same scipy BFGS call.
test('logistic regression, classWeight balanced: matches scipy BFGS on the weighted objective', () => {
  const y = [0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0];
  const m = fitLogisticRegression(X, y, { classWeight: 'balanced' });
  assert.ok(m.converged);
  [1.0694758945941722, 0.4803923827299497, 1.0388443229458864].forEach((v, j) =>
    close(m.rows[0]!.weights[j]!, v, 1e-6, `w${j}`),
  );
  close(m.rows[0]!.intercept, -0.7078200768251517, 1e-6, 'b');
  const pRef = [0.1444952153878505, 0.3949945883702817, 0.36980891832662377];
  predictProbaLogisticRegression(m, XT).forEach((p, i) => close(p[1]!, pRef[i]!, 1e-7, `p1 row ${i}`));
  // unweighted, the minority class is predicted less often
  const plain = fitLogisticRegression(X, y);
  assert.ok(predictProbaLogisticRegression(plain, XT)[1]![1]! < pRef[1]!);
});

test('logistic regression: bad values are UserErrors, mismatched lengths InternalErrors, naming the function', () => {
  assert.throws(
    () => fitLogisticRegression([], []),
    (e: unknown) => e instanceof UserError && /no training rows/.test(e.message),
  );
  assert.throws(
    () => fitLogisticRegression([[1], [2]], [0]),
    (e: unknown) =>
      e instanceof InternalError && /fitLogisticRegression: 2 rows but 1 labels/.test(e.message),
  );
  assert.throws(() => fitLogisticRegression([[1], [NaN]], [0, 1]), /feature 0 of row 1 is NaN/);
  assert.throws(() => fitLogisticRegression([[1], [2]], [0, 1.5]), /label 1 is 1.5/);
  assert.throws(
    () => fitLogisticRegression([[1], [2]], [0, 1], { l2Penalty: 0 }),
    /l2Penalty must be a positive number, got 0/,
  );
  assert.throws(
    () => fitLogisticRegression([[1], [2]], [0, 1], { classWeight: 'auto' as 'balanced' }),
    /fitLogisticRegression: classWeight must be 'none' or 'balanced', got auto/,
  );
  const m = fitLogisticRegression([[1], [2]], [0, 1]);
  assert.throws(
    () => predictProbaLogisticRegression(m, [[1, 2]]),
    /predictProbaLogisticRegression: row 0 has 2 features, the model 1/,
  );
});
