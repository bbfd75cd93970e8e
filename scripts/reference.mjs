#!/usr/bin/env node
// `npm run reference [-- --json] [--epochs n] [--seeds 1,2,3] [--windows n] [--quick] [--set key=value]
// [--threads n] [--same-init [--keep-dropout | --same-masks]] [--out dir]`: the PyTorch differential
// reference of pretraining (src/reference/, scripts/reference/str_reference.py). ecgssl and an independent PyTorch
// implementation train on the same exported batch stream of real ECG windows (configs/reference.yaml); per head and
// epoch both implementations' held-out accuracy and F1 (mean ± sd over seeds) go to stdout (a table, or with --json
// the report object); progress goes to stderr. The report and its figure (per-head held-out F1 per epoch of both
// implementations) are also written to --out (default results/reference): reference.json, reference-curves.svg/.png.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root); // the config's data paths are relative to the repository root
const args = process.argv.slice(2);
const value = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const ref = await import(pathToFileURL(join(root, 'dist/reference/index.js')).href);
/** Every `--set key=value` (repeatable); `--threads n` sets both ecgssl's engine.threads and PyTorch's threads. */
const sets = args.flatMap((a, i) => (a === '--set' && args[i + 1] !== undefined ? [args[i + 1]] : []));
const threads = value('--threads');
if (threads !== undefined && !(Number.isInteger(Number(threads)) && Number(threads) >= 1)) {
  process.stderr.write(`reference: --threads needs a positive integer, got ${threads}\n`);
  process.exit(2);
}
if (threads !== undefined) sets.push(`engine.threads=${threads}`);
const defaults = args.includes('--quick') ? ref.REFERENCE_QUICK : ref.REFERENCE_DEFAULTS;
const epochs = value('--epochs') ?? defaults.epochs;
const windows = value('--windows') ?? defaults.windows;
const seeds = value('--seeds') === undefined ? [...defaults.seeds] : value('--seeds').split(',').map(Number);
if (seeds.some((s) => !Number.isInteger(s))) {
  process.stderr.write(`reference: --seeds needs comma-separated integers, got ${value('--seeds')}\n`);
  process.exit(2);
}
const reason = ref.torchUnavailableReason();
if (reason !== undefined) {
  process.stderr.write(`reference: PyTorch is not available (${reason}); install python3-torch\n`);
  process.exit(1);
}
const t0 = Date.now();
if (args.includes('--same-init')) {
  // Diagnostic: both from ecgssl's initial weights, head dropout 0; prints how far the held-out logits end apart.
  const r = await ref.sameInitCheck({
    configPath: join(root, 'configs/reference.yaml'),
    seed: seeds[0],
    epochs: Number(epochs ?? 1),
    windows: windows === 'all' ? undefined : Number(windows),
    sets,
    keepDropout: args.includes('--keep-dropout') || args.includes('--same-masks'),
    sameMasks: args.includes('--same-masks'),
    ...(threads === undefined ? {} : { threads: Number(threads) }),
  });
  process.stdout.write(JSON.stringify(r, null, 1) + '\n');
  process.exit(0);
}
const report = await ref.runReference({
  configPath: join(root, 'configs/reference.yaml'),
  sets,
  seeds,
  ...(threads === undefined ? {} : { threads: Number(threads) }),
  epochs: epochs === undefined ? undefined : Number(epochs),
  windows: windows === 'all' ? undefined : Number(windows),
});
process.stderr.write(`reference: done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
const saved = await ref.saveReferenceResults(report, value('--out') ?? join(root, 'results', 'reference'));
process.stderr.write(`reference: wrote ${saved.json} and ${saved.figure.svg}\n`);
process.stdout.write(
  args.includes('--json') ? JSON.stringify(report, null, 1) + '\n' : ref.formatReference(report),
);
