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

/** Label-fraction curve: mean accuracy (+- std band) vs fraction of labels, with and without SSL, per task. */
export function labelFractionSpec(
  rows: readonly { task: string; arm: string; fraction: number; mean: number; std: number }[],
  title: string,
): object {
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
          axis: { format: '%' },
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
