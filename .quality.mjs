// MIT-BIH 100 pretraining (the pretrain-real test's setup), per-head held-out accuracy/F1 for one precision and seed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const [precision, seed, epochs] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4] ?? 8)];
const d = './dist';
const { configSchema } = await import(`${d}/config/schema.js`);
const { loadStores } = await import(`${d}/datasets/index.js`);
const { initBackend } = await import(`${d}/engine/index.js`);
const { pretrain } = await import(`${d}/training/pretrain.js`);
const { concatSource } = await import(`${d}/training/pretrainStage.js`);
const cacheDir = mkdtempSync(join(tmpdir(), 'ecgssl-q-'));
const rep = await initBackend({ preference: 'wasm', precision });
const config = configSchema.parse({
  seed,
  data: { kind: 'wfdb', root: 'test/fixtures/real/mitdb', records: ['100'], lead: 0 },
  pretrain: { scope: 'all', epochs, batchWindows: 16, heldOutFraction: 0.25 },
  output: { cacheDir },
});
const stores = await loadStores(config);
const t0 = Date.now();
const res = await pretrain({ source: concatSource([stores.labelled]), windows: stores.labelled.entries.map((_, i) => i),
  modelConfig: config.model, pretrainConfig: config.pretrain, transformations: config.transformations, seed, fold: -1 });
console.log(JSON.stringify({ precision: rep.precision, seed, epochs, seconds: (Date.now() - t0) / 1000, final: res.final }));
rmSync(cacheDir, { recursive: true, force: true });
process.exit(0);
