import { join } from 'node:path';
import { main } from '../../src/cli/main.js';

/** What one in-process CLI call printed and returned. */
interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with its stdout/stderr text captured. */
export async function cli(...args: string[]): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'ecgssl', ...args], {
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
  });
  return { code, stdout, stderr };
}

/**
 * YAML of a tiny experiment under `dir`: 2 synthetic subjects x 4 recordings x 8 s at 64 Hz, 1-s windows
 * (64 windows), a narrow trunk, one pretraining (scope all). The caller gives the experiment name and the finetune,
 * evaluation and engine sections (all four required).
 */
export function tinyConfigYaml(
  dir: string,
  sections: { experiment: string; finetune: string; evaluation: string; engine: string },
): string {
  // scripts/slurm-test.sh writes a bash copy of this YAML (seed 4, pretrain scope fold): keep the two in step.
  return `experiment: ${sections.experiment}
seed: 2
data:
  kind: synthetic
  root: ${join(dir, 'synthetic')}
  tasks: [arousal, valence]
  synthetic: { subjects: 2, recordingsPerSubject: 4, recordingSeconds: 8, samplingRateHz: 64, seed: 3 }
preprocessing: { targetRateHz: 64, windowSamples: 64 }
transformations: { permute: { segments: 8 } }
model: { filters: [4, 8, 8], kernelSizes: [8, 4, 4], headUnits: 8 }
pretrain: { scope: all, epochs: 1, batchWindows: 16, heldOutFraction: 0 }
finetune: ${sections.finetune}
evaluation: ${sections.evaluation}
engine: ${sections.engine}
output: { root: ${join(dir, 'results')}, cacheDir: ${join(dir, 'cache')} }
`;
}
