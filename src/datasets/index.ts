/** Dataset readers, the synthetic ECG generator and the prepared window store. */
export * from './types.js';
export {
  readNpyChannel,
  readNpyChannelChunks,
  inspectNpy,
  writeNpy,
  type NpyHeader,
  type NpyDtype,
} from './npy.js';
export { readCsvSignal } from './csv.js';
export { readEdfSignal, readEdfHeader, type EdfHeader, type EdfSignalHeader } from './edf.js';
export {
  parseWfdbHeader,
  readWfdbSignal,
  readWfdb,
  WFDB_FORMATS,
  type WfdbHeader,
  type WfdbSignal,
} from './wfdb.js';
export { readLabelsCsv, type LabelRow, type LabelColumnInfo } from './labels.js';
export { readGeneric, readSignalFile, GENERIC_EXTENSIONS } from './generic.js';
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
} from './mat/index.js';
export {
  readPoly5Header,
  readPoly5Chunks,
  poly5ChannelIndex,
  type Poly5Header,
  type Poly5Channel,
} from './poly5.js';
export * from './synthetic/index.js';
export {
  prepareSource,
  openWindowStore,
  summarizeStore,
  countLabels,
  storeKey,
  DATASETS_READER_VERSION,
  STORE_FORMAT_VERSION,
  type StoreIndex,
  type PrepareSourceOptions,
} from './store.js';
export { prepareData, loadStores, type PrepareDataOptions } from './prepareData.js';
