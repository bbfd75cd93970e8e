/* global require, module, __dirname */
'use strict';
// Loads the built addon; when it is missing, exports { loadError } with the reason instead of throwing.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
try {
  module.exports = require('./build/Release/ecgssl_dnnl.node');
} catch (e) {
  let why;
  try {
    why = readFileSync(join(__dirname, 'build-error.txt'), 'utf8').trim();
  } catch {
    why =
      e && e.code === 'MODULE_NOT_FOUND'
        ? 'build/Release/ecgssl_dnnl.node missing: its install script did not run'
        : String(e && e.message);
  }
  module.exports = { loadError: why };
}
