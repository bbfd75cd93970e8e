// Tests of scripts/check-architecture.mjs: the source tree keeps its floors, and the checker finds each kind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../scripts/check-architecture.mjs', import.meta.url));

interface Violation {
  kind: 'imports' | 'header' | 'length';
  file: string;
  line: number;
  message: string;
}

/** Runs the checker with `--json` on the tree at `root` (default: this repository). */
function runChecker(args: string[], root?: string): { status: number | null; violations: Violation[] } {
  const r = spawnSync(process.execPath, [SCRIPT, '--json', ...args, ...(root ? [root] : [])], {
    encoding: 'utf8',
  });
  assert.equal(r.stderr, '', 'the checker ran without errors');
  return { status: r.status, violations: (JSON.parse(r.stdout) as { violations: Violation[] }).violations };
}

test('src/ has no architecture violations: imports only downward, a header line per file, no function over 80 lines', () => {
  const r = runChecker([]);
  const lines = r.violations.map((v) => `${v.kind} src/${v.file}:${v.line} ${v.message}`);
  assert.deepEqual(lines, []);
  assert.equal(r.status, 0);
});

test('the checker reports upward, sideways and variable imports, missing headers and long functions', () => {
  const root = mkdtempSync(join(tmpdir(), 'ecgssl-arch-'));
  try {
    const put = (rel: string, text: string): void => {
      const p = join(root, 'src', rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, text);
    };
    const body = Array.from({ length: 85 }, (_, i) => `  x += ${i};`).join('\n');
    put('errors.ts', '// Errors.\nexport class E extends Error {}\n');
    put('models/net.ts', '// A network.\nexport const net = 1;\n');
    put('datasets/read.ts', "// Reads.\nimport { net } from '../models/net.js';\nexport const r = net;\n");
    put(
      'engine/run.ts',
      [
        '// Runs: imports a higher floor in three ways, and has one long function.',
        "import type { E } from '../errors.js';",
        "import { net } from '../models/net.js';",
        'export async function load(): Promise<unknown> {',
        "  const spec = '../datasets/read.js';",
        '  return import(spec);',
        '}',
        'export const long = (e: E): number => {',
        '  let x = 0; // a } in a comment and a string "}" do not end the function',
        "  const s = '}';",
        body,
        '  return x + net + s.length + e.message.length;',
        '};',
        '',
      ].join('\n'),
    );
    put('util/nohead.ts', 'export const a = 1;\n');
    // config may import a reader declaration, which must itself be a load-time leaf
    put(
      'config/schema.ts',
      "// Schema.\nimport { o } from '../datasets/readers/x/options.js';\nimport { r } from '../datasets/read.js';\nexport const s = [o, r];\n",
    );
    put(
      'datasets/readers/x/options.ts',
      [
        '// Options of reader x: a type-only and a lazy import are fine, a static one of reader code is not.',
        "import type { r as R } from '../../read.js';",
        "import { r } from '../../read.js';",
        'export const o: typeof R = r;',
        "export const load = () => import('../../read.js');",
        '',
      ].join('\n'),
    );
    const r = runChecker(['--no-allowlist'], root);
    assert.equal(r.status, 1);
    const got = r.violations.map((v) => `${v.kind} ${v.file}:${v.line} ${v.message}`);
    assert.deepEqual(got, [
      "imports config/schema.ts:3 upward: config (floor 6) imports datasets (floor 3): '../datasets/read.js'",
      "imports datasets/read.ts:2 sideways: datasets and models share floor 3: '../models/net.js'",
      "imports datasets/readers/x/options.ts:3 declaration not a leaf: imports datasets/read.ts at load time (see DECLARATIONS): '../../read.js'",
      "imports engine/run.ts:3 upward: engine (floor 4) imports models (floor 3): '../models/net.js'",
      "imports engine/run.ts:6 upward: engine (floor 4) imports datasets (floor 3): '../datasets/read.js' through the variable spec",
      'length engine/run.ts:8 long is 90 lines (max 80)',
      'header util/nohead.ts:1 the first line is not a comment saying what the file holds',
    ]);
    const imports = runChecker(['--only=imports', '--no-allowlist'], root);
    assert.deepEqual(
      imports.violations.map((v) => v.kind),
      ['imports', 'imports', 'imports', 'imports', 'imports'],
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
