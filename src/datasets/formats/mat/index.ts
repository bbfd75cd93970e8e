/** A reader of the MATLAB MAT-file subset the AMIGOS and DREAMER files use (v5 with compression; v7.3 through h5wasm). */
export * from './types.js';
export { readMat, readMatV5, inflateLenient } from './readMat.js';
export { readMat73, isHdf5Mat } from './readMat73.js';
export { matVariable, matCell, matNumeric, matColumn, matSize, matText } from './access.js';
