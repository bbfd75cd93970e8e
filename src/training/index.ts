export { pretrain, evaluatePretext, splitHeldOut, checkpointDirOf, PRETEXT_TASKS } from './pretrain.js';
export type { PretrainArgs, PretrainBatchInfo, PretrainResult, WindowSource, HistoryRow } from './pretrain.js';
export { createBatchStreamExport } from './exportBatchStream.js';
export type { BatchStreamExportArgs, BatchStreamMeta } from './exportBatchStream.js';
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
export { meanStd, summarizeFolds, summaryToCsv, formatSummaryTable, SUMMARY_COLUMNS } from './summary.js';
export type { Arm, FoldScore, SummaryRow } from './summary.js';
export {
  trainClassifier,
  predictClasses,
  resolveHeadArgs,
  defaultHeadShape,
  headDropoutMasks,
} from './finetune.js';
export type { TrainClassifierArgs } from './finetune.js';
export { parseLabelFraction, subsampleLabels } from './labelFraction.js';
export { evaluationFolds } from './folds.js';
export {
  crossValidate,
  computeEmbeddings,
  differenceScores,
  dropoutStream,
  FOLD_METRICS,
  FINETUNE_STREAM_KEYS,
} from './crossValidate.js';
export type { CrossValidateArgs, FoldResult, LabelFraction, ArmKind, FitKeys } from './crossValidate.js';
export {
  runFinetuneStage,
  runEvaluateStage,
  requireEncoders,
  parseFractions,
  saveTransformationGallery,
} from './finetuneStage.js';
export type { StageResult } from './finetuneStage.js';
export {
  writeStageResults,
  mergeRunResults,
  readStageFolds,
  summarize,
  fractionSlug,
} from './stageResults.js';
export type { StageFolds, RunSummary, SummaryJsonRow, SkippedFold, ResultStage } from './stageResults.js';
export {
  pretrainDone,
  resultStageDone,
  stageEngine,
  recordedStageEngines,
  PIPELINE_STAGES,
} from './runPipeline.js';
export type { PipelineResult, StageOutcome, PipelineStage } from './runPipeline.js';
