/** A safe reader of Python pickles of data (numpy arrays in dicts), as the WESAD release stores them. */
export * from './types.js';
export { parsePickle, readPickle } from './parse.js';
export { pickleArray, pickleColumn, pickleField } from './access.js';
export { ALLOWED_GLOBALS, pyText } from './globals.js';
