import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  confusionSpec,
  foldAccuracySpec,
  labelFractionSpec,
  renderVegaLiteSvg,
} from '../../src/plots/index.js';

test('result figure specs render to SVG with their marks', async () => {
  const bars = await renderVegaLiteSvg(
    foldAccuracySpec(
      [0, 1].flatMap((fold) =>
        ['ssl', 'baseline'].map((arm) => ({ task: 'arousal', arm, fold, accuracy: 0.5 + fold / 10 })),
      ),
      'acc',
    ),
  );
  assert.equal((bars.match(/<path aria-label="fold: /g) ?? []).length, 4);
  const curve = await renderVegaLiteSvg(
    labelFractionSpec(
      [0.01, 0.1, 1].flatMap((fraction) =>
        ['ssl', 'baseline'].map((arm) => ({ task: 'valence', arm, fraction, mean: 0.7, std: 0.05 })),
      ),
      'labels',
    ),
  );
  assert.match(curve, /mark-line/);
  // One x tick per studied fraction, 100 % included (log axes thin overlapping labels by default).
  const studied = await renderVegaLiteSvg(
    labelFractionSpec(
      [0.01, 0.05, 0.1, 0.125, 0.25, 1].flatMap((fraction) =>
        ['ssl', 'baseline'].map((arm) => ({ task: 'arousal', arm, fraction, mean: 0.6, std: 0.1 })),
      ),
      'labels',
    ),
  );
  const ticks = [...studied.matchAll(/<text[^>]*>(\d+(?:\.\d+)?%)<\/text>/g)].map((m) => m[1]);
  assert.deepEqual(ticks, ['1%', '5%', '10%', '12.5%', '25%', '100%']);
  const cm = await renderVegaLiteSvg(
    confusionSpec(
      [
        [5, 1],
        [2, 7],
      ],
      'confusion',
    ),
  );
  assert.equal((cm.match(/<path aria-label="predicted: /g) ?? []).length, 4);
  assert.match(cm, />7</);
});
