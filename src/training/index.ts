// Public API of the training layer: pretraining, fine-tuning, folds, summaries and pipeline stages.
export { pretrain, evaluatePretext, splitHeldOut, checkpointDirOf } from './pretrain.js';
export type { PretrainArgs, PretrainBatchInfo, PretrainResult, WindowSource, HistoryRow } from './pretrain.js';
export { createBatchStreamExport } from './exportBatchStream.js';
export type { BatchStreamExportArgs, BatchStreamMeta } from './exportBatchStream.js';
export {
  runPretrainStage,
  encoderDirFor,
  loadEncoder,
  pretrainUnitDir,
  concatSource,
  pretextSpec,
} from './pretrainStage.js';
export type { PretrainStageOptions, PretrainUnitResult } from './pretrainStage.js';
export { buildPretextBatch, pretextLabels } from './batches.js';
export type { PretextBatch, PretextBatchArgs } from './batches.js';
export { pretextLoss, staircaseLearningRate } from './losses.js';
export { pretrainStep, pretrainStepAccumulated } from './pretrainStep.js';
export type { PretrainStepArgs } from './pretrainStep.js';
export { paperBench } from './paperBench.js';
export type { PaperBench, PaperBenchArgs } from './paperBench.js';
export { engineBenchmark } from './engineBenchmark.js';
export type { EngineBenchmarkArgs, EngineBenchmarkResult } from './engineBenchmark.js';
export { saveCheckpoint, loadCheckpoint, hasCheckpoint } from './checkpoint.js';
export type { CheckpointState } from './checkpoint.js';
export { PretextCounter, headsAtChance, CHANCE_F1 } from './pretrainMetrics.js';
export type { TaskMetrics } from './pretrainMetrics.js';
export { makeFolds } from './folds.js';
export type { Fold, FoldSplit, MakeFoldsArgs } from './folds.js';
export { meanStd, summarizeFolds, summaryToCsv, formatSummaryTable, SUMMARY_COLUMNS } from './summary.js';
export type { Arm, FoldScore, SummaryRow, SummaryStatsRow } from './summary.js';
export { trainClassifier, predictClasses, resolveHeadArgs, defaultHeadShape } from './finetune.js';
export { invertedDropoutMask, rngDropout } from './dropoutMask.js';
export type { TrainClassifierArgs } from './finetune.js';
export {
  ALL_LABELS,
  compareFractionLabels,
  fractionKeeps,
  fractionKey,
  fractionSlug,
  labelFraction,
  parseLabelFraction,
  parseLabelFractions,
  subsampleLabels,
} from './labelFraction.js';
export type { LabelFraction } from './labelFraction.js';
export { evaluationFolds } from './folds.js';
export { crossValidate, differenceScores, planFits } from './crossValidate.js';
export type { CrossValidateArgs } from './crossValidate.js';
export {
  armOf,
  computeEmbeddings,
  crossValidationData,
  dropoutStream,
  fitFold,
  fitKeys,
  fitSplit,
  FOLD_METRICS,
  FINETUNE_STREAM_KEYS,
} from './fitFold.js';
export type {
  ArmKind,
  CrossValidationData,
  Embeddings,
  Fit,
  FitFoldArgs,
  FitKeys,
  FoldResult,
} from './fitFold.js';
export { runFolds, requireEncoders, stageArms } from './foldRunner.js';
export type { FoldRunResult, RunFoldsArgs } from './foldRunner.js';
export { encoderFingerprint, foldUnitName, foldUnitRel, readFoldUnit } from './foldUnits.js';
export type { FoldUnitFile } from './foldUnits.js';
export { runFinetuneStage, runEvaluateStage, saveTransformationGallery } from './finetuneStage.js';
export type { StageOptions, StageResult } from './finetuneStage.js';
export {
  writeStageResults,
  mergeRunResults,
  readStageFolds,
  stageFoldsFromUnits,
  summarize,
} from './stageResults.js';
export type { StageFolds, RunSummary, SummaryJsonRow, SkippedFold, ResultStage } from './stageResults.js';
export {
  runPipeline,
  pretrainDone,
  resultStageDone,
  stageEngine,
  recordedStageEngines,
  PIPELINE_STAGES,
} from './runPipeline.js';
export type { PipelineResult, StageOutcome, PipelineStage, RunPipelineOptions } from './runPipeline.js';
export { withRunDir, loadedTfEngine } from './withRunDir.js';
