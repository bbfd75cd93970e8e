// Provenance of a run: the package root, installed package versions, the git commit and dirty state.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (the folder holding ecgssl's package.json), from this module's location in src/ or dist/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Installed version of an npm package, or undefined when it is not installed. */
export function installedVersion(name: string): string | undefined {
  const pkg = readJson(join(packageRoot(), 'node_modules', ...name.split('/'), 'package.json'));
  return typeof pkg?.version === 'string' ? pkg.version : undefined;
}

/** Packages whose versions a run records (the engine tiers and the libraries that shape results). */
const RECORDED_PACKAGES = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  'zod',
  'yaml',
  'commander',
];

/** Software versions recorded in run.json: ecgssl, node, and the installed key packages. */
export function softwareVersions(): Record<string, string> {
  const own = readJson(join(packageRoot(), 'package.json'));
  const out: Record<string, string> = {
    ecgssl: typeof own?.version === 'string' ? own.version : 'unknown',
    node: process.versions.node,
  };
  for (const name of RECORDED_PACKAGES) {
    const v = installedVersion(name);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** The git commit of the package checkout and whether it has uncommitted changes; undefined outside git. */
export function gitState(): { commit: string; dirty: boolean } | undefined {
  const cwd = packageRoot();
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    if (!/^[0-9a-f]{40}$/.test(commit)) return undefined;
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString();
    return { commit, dirty: status.trim().length > 0 };
  } catch {
    return undefined;
  }
}
