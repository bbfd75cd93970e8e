/** Dataset readers (registry, file formats, data-set readers), the synthetic ECG generator and the window store. */
export * from './types.js';
export {
  readNpyChannel,
  readNpyChannelChunks,
  inspectNpy,
  writeNpy,
  type NpyHeader,
  type NpyDtype,
} from './formats/npy.js';
export { readCsvSignal } from './formats/csv.js';
export { readEdfSignal, readEdfHeader, type EdfHeader, type EdfSignalHeader } from './formats/edf.js';
export {
  parseWfdbHeader,
  readWfdbSignal,
  WFDB_FORMATS,
  type WfdbHeader,
  type WfdbSignal,
} from './formats/wfdb.js';
export { readWfdb } from './readers/wfdb/index.js';
export { readLabelsCsv, type LabelRow, type LabelColumnInfo } from './readers/generic/labels.js';
export { readLabelsFile, type LabelsFile, type LabelsFileRule } from './labels/readLabelsFile.js';
export { scoreLabel, roundHalfEven, type ScoreLabelArgs } from './labels/scoreLabel.js';
export { readGeneric } from './readers/generic/index.js';
export { readSignalFile, GENERIC_EXTENSIONS } from './readers/generic/readSignalFile.js';
export { readRecordings } from './readRecordings.js';
export {
  readMat,
  readMatV5,
  readMat73,
  isHdf5Mat,
  matVariable,
  matCell,
  matNumeric,
  matColumn,
  matText,
  type MatValue,
  type MatNumeric,
  type MatChar,
  type MatCell,
  type MatStruct,
  type ReadMatOptions,
} from './formats/mat/index.js';
export {
  readPoly5Header,
  readPoly5Chunks,
  poly5ChannelIndex,
  type Poly5Header,
  type Poly5Channel,
} from './formats/poly5.js';
export * from './readers/synthetic/index.js';
export {
  openWindowStore,
  summarizeStore,
  summarizeStoreAt,
  createStoreWriter,
  countLabels,
  storeKey,
  DATASETS_READER_VERSION,
  STORE_FORMAT_VERSION,
  type StoreIndex,
  type StoreWriter,
} from './store.js';
export { prepareSource, type PrepareSourceOptions } from './prepareSource.js';
export { READERS, READER_KINDS, readerEntry, type ReaderEntry, type ReaderKind } from './readers/registry.js';
export {
  DEFAULT_HEAD_SHAPE,
  type HeadShape,
  type LabelThreshold,
  type LabelScheme,
} from './readers/sourceFields.js';
export { prepareData, loadStores, type PrepareDataOptions } from './prepareData.js';
export { checkSourceRoots } from './checkSourceRoots.js';
