// Public API of the command-line program.
export { main, buildProgram, reportError, EXIT_OK, EXIT_USER, EXIT_INTERNAL } from './main.js';
export { addCommonOptions, parseCommonOptions, loadRunConfig, setupLogging, withRunDir } from './common.js';
export type { CommonOptions } from './common.js';
export { printResult, formatTable } from './output.js';
