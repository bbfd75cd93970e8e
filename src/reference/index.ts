/** The PyTorch differential reference of pretraining: export ecgssl's batch stream, train both, compare per head. */
export { runReference, type ReferenceArgs } from './runReference.js';
export { pickWindows } from './pickWindows.js';
export { runPytorchScript, PYTORCH_REFERENCE_SCRIPT } from './runPytorchScript.js';
export { torchUnavailableReason, REFERENCE_PYTHON } from '../util/torchAvailable.js';
export { summarizeReference } from './summarizeReference.js';
export type { ReferenceReport, ReferenceSeedRun, HeadCurves, HeadMetrics } from './summarizeReference.js';
export { formatReference } from './formatReference.js';
export { REFERENCE_DEFAULTS, REFERENCE_QUICK } from './defaults.js';
export { sameInitCheck, type SameInitCheckArgs, type SameInitResult } from './sameInitCheck.js';
export { openReferenceData, type ReferenceData } from './referenceData.js';
export { saveReferenceResults, referenceCurveRows } from './saveReferenceResults.js';
