// Whether a Python interpreter with PyTorch is available (the differential reference, the benchmarks' PyTorch rows).
import { spawnSync } from 'node:child_process';

/** The Python interpreter with PyTorch (reference and benchmarks): `ECGSSL_REFERENCE_PYTHON`, else Debian's `/usr/bin/python3`. */
export const REFERENCE_PYTHON = process.env.ECGSSL_REFERENCE_PYTHON ?? '/usr/bin/python3';

/** `undefined` when `python` can `import torch`, else the reason it cannot (for skip messages). */
export function torchUnavailableReason(python: string = REFERENCE_PYTHON): string | undefined {
  const r = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return `${python} cannot run: ${r.error.message}`;
  const why = (r.stderr ?? '').trim().split('\n').pop() || `exit status ${r.status}`;
  if (r.status !== 0) return `${python} -c "import torch" failed: ${why}`;
  return undefined;
}
