// Public API of the figures: the vega-lite specs and their rendering to SVG, PNG and JSON.
export { saveVegaLite, renderVegaLiteSvg } from './saveVegaLite.js';
export type { SavedFigure } from './saveVegaLite.js';
export {
  foldAccuracySpec,
  labelFractionSpec,
  confusionSpec,
  pretextCurvesSpec,
  referenceCurvesSpec,
  transformationGallerySpec,
} from './specs.js';
