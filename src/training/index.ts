export { pretrain, evaluatePretext, splitHeldOut, checkpointDirOf, PRETEXT_TASKS } from './pretrain.js';
export type { PretrainArgs, PretrainResult, WindowSource, HistoryRow } from './pretrain.js';
export {
  runPretrainStage,
  encoderDirFor,
  loadEncoder,
  pretrainUnitDir,
  concatSource,
  accuracySpec,
} from './pretrainStage.js';
export type { PretrainStageOptions, PretrainUnitResult } from './pretrainStage.js';
export { buildPretextBatch, pretextLabels } from './batches.js';
export type { PretextBatch, PretextBatchArgs } from './batches.js';
export { pretextLoss, staircaseLearningRate } from './losses.js';
export { saveCheckpoint, loadCheckpoint, hasCheckpoint } from './checkpoint.js';
export type { CheckpointState } from './checkpoint.js';
export { PretextCounter } from './pretrainMetrics.js';
export type { TaskMetrics } from './pretrainMetrics.js';
export { makeFolds } from './folds.js';
export type { Fold, FoldSplit, MakeFoldsArgs } from './folds.js';
export { meanStd, summarizeFolds, summaryToCsv, formatSummaryTable } from './summary.js';
export type { Arm, FoldScore, SummaryRow } from './summary.js';
export { trainClassifier, predictClasses, resolveHeadArgs, defaultHeadShape } from './finetune.js';
export type { TrainClassifierArgs } from './finetune.js';
export { parseLabelFraction, subsampleLabels } from './labelFraction.js';
