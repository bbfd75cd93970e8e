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

// Headers (b) and function lengths (c) are asserted once ECGSSL_ARCH_STRICT=1 (set after the refactor's branches
// are merged; the flag is then removed and all three kinds are always asserted).
const STRICT = process.env.ECGSSL_ARCH_STRICT === '1';

test(`src/ has no ${STRICT ? 'architecture violations' : 'upward or sideways imports'}`, () => {
  const r = runChecker(STRICT ? [] : ['--only=imports']);
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
    const r = runChecker(['--no-allowlist'], root);
    assert.equal(r.status, 1);
    const got = r.violations.map((v) => `${v.kind} ${v.file}:${v.line} ${v.message}`);
    assert.deepEqual(got, [
      "imports datasets/read.ts:2 sideways: datasets and models share floor 3: '../models/net.js'",
      "imports engine/run.ts:3 upward: engine (floor 4) imports models (floor 3): '../models/net.js'",
      "imports engine/run.ts:6 upward: engine (floor 4) imports datasets (floor 3): '../datasets/read.js' through the variable spec",
      'length engine/run.ts:8 long is 90 lines (max 80)',
      'header util/nohead.ts:1 the first line is not a comment saying what the file holds',
    ]);
    const imports = runChecker(['--only=imports', '--no-allowlist'], root);
    assert.deepEqual(
      imports.violations.map((v) => v.kind),
      ['imports', 'imports', 'imports'],
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
