// Writers of small test files in the formats the dataset readers read (EDF, WFDB 212/16, CSV).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { edfBytes, wfdbFiles, type EdfSeedSignal, type WfdbSeedChannel } from '../../src/fuzz/corpus.js';

export function tmp(prefix = 'ecgssl-ds-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes an EDF (or EDF+C when `plus`) file (the fuzz corpus writer); each signal: digital int16 samples, records * samplesPerRecord. */
export function writeEdf(
  path: string,
  signals: EdfSeedSignal[],
  records: number,
  recordDurationS: number,
  plus = false,
): void {
  writeFileSync(path, edfBytes(signals, records, recordDurationS, plus));
}

/** Writes a WFDB record `<dir>/<name>.hea` + `.dat` with all channels interleaved in one file. */
export function writeWfdb(
  dir: string,
  name: string,
  format: 212 | 16,
  rateHz: number,
  channels: WfdbSeedChannel[],
): void {
  const { hea, dat } = wfdbFiles(name, format, rateHz, channels);
  writeFileSync(join(dir, `${name}.hea`), hea);
  writeFileSync(join(dir, `${name}.dat`), dat);
}

/** Deterministic integer test pattern in [lo, hi]. */
export function pattern(n: number, seed: number, lo = -2000, hi = 2000): Int16Array {
  const out = new Int16Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = lo + (s % (hi - lo + 1));
  }
  return out;
}

/**
 * `ecgssl prepare --json --quiet` on a config written into `dir`: the given `data` block (YAML flow text) and
 * `preprocessing` block, with results and cache under `dir`.
 */
export async function prepareCli(
  dir: string,
  data: string,
  preprocessing: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { main } = await import('../../src/cli/main.js');
  const config = join(dir, 'prepare.yaml');
  writeFileSync(
    config,
    `experiment: prepare-test\ndata: ${data}\npreprocessing: ${preprocessing}\n` +
      `output: { root: ${join(dir, 'results')}, cacheDir: ${join(dir, 'cache')} }\n`,
  );
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'ecgssl', 'prepare', '--config', config, '--json', '--quiet'], {
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
  });
  return { code, stdout, stderr };
}
