// Runs scripts/reference/str_reference.py (the PyTorch reference) and parses the JSON it prints.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { REFERENCE_PYTHON } from '../util/torchAvailable.js';

/** Path of the PyTorch reference script (the same from src/reference/ and dist/reference/). */
export const PYTORCH_REFERENCE_SCRIPT = fileURLToPath(
  new URL('../../scripts/reference/str_reference.py', import.meta.url),
);

/**
 * Runs the reference script with `args` (e.g. `['train', dir, '--seed', '1']` or `['count-params', ...]`),
 * its stderr passed through (progress), and returns the JSON object it printed on stdout.
 */
export function runPytorchScript(
  args: readonly string[],
  python: string = REFERENCE_PYTHON,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [PYTORCH_REFERENCE_SCRIPT, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', (err) => reject(new Error(`runPytorchScript: cannot start ${python}: ${err.message}`)));
    child.on('close', (code) => {
      const out = Buffer.concat(chunks).toString('utf8').trim();
      if (code !== 0) {
        reject(new Error(`runPytorchScript: ${python} ${args[0] ?? ''} exited with ${code}`));
        return;
      }
      try {
        resolve(JSON.parse(out.split('\n').pop() ?? ''));
      } catch {
        reject(new Error(`runPytorchScript: no JSON on stdout: ${out.slice(0, 200)}`));
      }
    });
  });
}
