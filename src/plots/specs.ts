/** Vega-lite specs of the result figures (render with {@link saveVegaLite}). */

/** Per-fold accuracy bars, ssl vs baseline side by side, one panel per task. */
export function foldAccuracySpec(
  rows: readonly { task: string; arm: string; fold: number; accuracy: number }[],
  title: string,
): object {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: rows.map((r) => ({ ...r })) },
    facet: { column: { field: 'task', type: 'nominal', title: null } },
    spec: {
      width: 220,
      height: 160,
      mark: 'bar',
      encoding: {
        x: { field: 'fold', type: 'ordinal', title: 'fold' },
        xOffset: { field: 'arm' },
        y: { field: 'accuracy', type: 'quantitative', scale: { domain: [0, 1] }, title: 'accuracy' },
        color: { field: 'arm', type: 'nominal', title: 'arm' },
      },
    },
  };
}

/**
 * Label-fraction curve: mean accuracy (+- std band) vs fraction of labels, with and without SSL, per task. The log
 * x axis has one tick per studied fraction (explicit values, no overlap thinning), so 100 % is always labelled.
 */
export function labelFractionSpec(
  rows: readonly { task: string; arm: string; fraction: number; mean: number; std: number }[],
  title: string,
): object {
  const fractions = [...new Set(rows.map((r) => r.fraction))].sort((a, b) => a - b);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: rows.map((r) => ({ ...r, lo: r.mean - r.std, hi: r.mean + r.std })) },
    facet: { column: { field: 'task', type: 'nominal', title: null } },
    spec: {
      width: 220,
      height: 160,
      encoding: {
        x: {
          field: 'fraction',
          type: 'quantitative',
          scale: { type: 'log' },
          axis: { values: fractions, format: '.4~%', labelOverlap: false },
          title: 'labelled fraction',
        },
        color: { field: 'arm', type: 'nominal', title: 'arm' },
      },
      layer: [
        {
          mark: { type: 'area', opacity: 0.2 },
          encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
        },
        {
          mark: { type: 'line', point: true },
          encoding: {
            y: { field: 'mean', type: 'quantitative', scale: { domain: [0, 1] }, title: 'accuracy' },
          },
        },
      ],
    },
  };
}

/** Confusion matrix heat map (counts summed over folds), rows = true class, columns = predicted. */
export function confusionSpec(confusion: readonly (readonly number[])[], title: string): object {
  const values = confusion.flatMap((row, t) => row.map((count, p) => ({ true: t, predicted: p, count })));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 160,
    height: 160,
    data: { values },
    encoding: {
      x: { field: 'predicted', type: 'ordinal' },
      y: { field: 'true', type: 'ordinal' },
    },
    layer: [
      {
        mark: 'rect',
        encoding: { color: { field: 'count', type: 'quantitative', scale: { scheme: 'blues' } } },
      },
      { mark: { type: 'text' }, encoding: { text: { field: 'count', type: 'quantitative' } } },
    ],
  };
}

/** One window and its transformed versions, one panel per transformation (METHOD §2), time in seconds. */
export function transformationGallerySpec(
  rows: readonly { transformation: string; seconds: number; value: number }[],
  title: string,
  order: readonly string[],
): object {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: rows.map((r) => ({ ...r })) },
    facet: { row: { field: 'transformation', type: 'nominal', sort: [...order], title: null } },
    spec: {
      width: 640,
      height: 70,
      mark: { type: 'line', strokeWidth: 0.8 },
      encoding: {
        x: { field: 'seconds', type: 'quantitative', title: 'time (s)' },
        y: { field: 'value', type: 'quantitative', title: null },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/**
 * Pretext curves as small multiples: one row per head (in `heads` order), accuracy and F1 over epochs side by side,
 * so heads with equal values never hide each other. Each panel draws, as a dashed rule, the chance level of a head
 * that sees one positive in k = `heads.length`: accuracy (k - 1) / k (always answering "not this transformation"),
 * F1 1 / k (a random guess at the positive rate 1 / k; always answering "no" scores 0). The subtitle says so.
 */
export function pretextCurvesSpec(
  rows: readonly { epoch: number; head: string; metric: 'accuracy' | 'F1'; value: number }[],
  title: string,
  heads: readonly string[],
): object {
  const k = heads.length;
  const chance = { accuracy: (k - 1) / k, F1: 1 / k };
  const epochs = new Set(rows.map((r) => r.epoch)).size;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: title,
      subtitle: [
        `dashed line: chance with one positive in ${k} per head: accuracy ${k - 1}/${k} (always "no"),`,
        `F1 1/${k} (random guess at rate 1/${k}; always "no" scores F1 0)`,
      ],
    },
    data: { values: rows.map((r) => ({ ...r, chance: chance[r.metric] })) },
    facet: {
      row: {
        field: 'head',
        type: 'nominal',
        sort: [...heads],
        title: null,
        header: { labelAngle: 0, labelAlign: 'left' },
      },
      column: { field: 'metric', type: 'nominal', sort: ['accuracy', 'F1'], title: null },
    },
    spec: {
      width: 260,
      height: 60,
      layer: [
        {
          mark: { type: 'line', point: epochs <= 30 },
          encoding: {
            x: {
              field: 'epoch',
              type: 'quantitative',
              title: 'epoch',
              axis: { tickMinStep: 1, format: 'd' },
            },
            y: {
              field: 'value',
              type: 'quantitative',
              title: null,
              scale: { domain: [0, 1] },
              axis: { values: [0, 0.5, 1] },
            },
          },
        },
        {
          mark: { type: 'rule', strokeDash: [6, 4], color: 'gray' },
          encoding: { y: { field: 'chance', type: 'quantitative', aggregate: 'min' } },
        },
      ],
    },
  };
}

/**
 * Per-head held-out F1 per epoch of two implementations of the same training (the PyTorch differential reference):
 * the mean over seeds as a line, mean +- sd as a band, one panel per head, the chance F1 1/k dashed.
 */
export function referenceCurvesSpec(
  rows: readonly { epoch: number; head: string; implementation: string; f1: number; sd: number }[],
  title: string,
  heads: readonly string[],
): object {
  const chance = 1 / Math.max(1, heads.length);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle: `line: mean over seeds; band: +- 1 sd; dashed: chance F1 1/${heads.length}` },
    data: {
      values: rows.map((r) => ({
        ...r,
        lo: Math.max(0, r.f1 - r.sd),
        hi: Math.min(1, r.f1 + r.sd),
        chance,
      })),
    },
    facet: { field: 'head', type: 'nominal', sort: [...heads], title: null },
    columns: 4,
    spec: {
      width: 170,
      height: 110,
      layer: [
        {
          mark: { type: 'area', opacity: 0.2 },
          encoding: {
            x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' } },
            y: { field: 'lo', type: 'quantitative', title: 'held-out F1', scale: { domain: [0, 1] } },
            y2: { field: 'hi' },
            color: { field: 'implementation', type: 'nominal', title: null },
          },
        },
        {
          mark: { type: 'line' },
          encoding: {
            x: { field: 'epoch', type: 'quantitative' },
            y: { field: 'f1', type: 'quantitative' },
            color: { field: 'implementation', type: 'nominal', title: null },
          },
        },
        {
          mark: { type: 'rule', strokeDash: [6, 4], color: 'gray' },
          encoding: { y: { field: 'chance', type: 'quantitative', aggregate: 'min' } },
        },
      ],
    },
  };
}
