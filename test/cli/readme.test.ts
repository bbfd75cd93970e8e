import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';

test('README set-up commands match CI and package.json', () => {
  const readme = readFileSync('README.md', 'utf8');
  assert.match(readme, /^npm ci && npm run quickstart\b/m);
  assert.match(readme, /^npm ci && npm test\b/m);
  const ci = readFileSync('.ci/run', 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'));
  // CI runs exactly the README's test command, as its last two steps.
  assert.deepEqual(ci.slice(-2), ['npm ci', 'npm test']);
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
  const quick = /--config (\S+)/.exec(pkg.scripts.quickstart ?? '');
  assert.ok(quick?.[1] && existsSync(quick[1]), `quickstart config ${quick?.[1]} exists`);
  assert.match(pkg.scripts.test ?? '', /build.*lint.*typecheck.*test:unit/);
});
