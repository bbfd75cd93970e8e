export { saveVegaLite, renderVegaLiteSvg } from './saveVegaLite.js';
export type { SavedFigure } from './saveVegaLite.js';
export { foldAccuracySpec, labelFractionSpec, confusionSpec, transformationGallerySpec } from './specs.js';
