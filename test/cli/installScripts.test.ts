// package.json's allowScripts (npm 11's install-script policy) covers exactly the locked packages with install scripts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

interface LockEntry {
  name?: string;
  hasInstallScript?: boolean;
  link?: boolean;
  resolved?: string;
}

test('allowScripts has one entry per locked package with an install script, and no stale one', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { allowScripts: Record<string, boolean> };
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  // npm matches a registry package by its name (name@version needs the lockfile's resolved URL, which this lockfile
  // omits) and a local folder dependency by the link's saved spec, relative to node_modules (`file:../native/dnnl`,
  // what `npm install-scripts approve` writes).
  const wanted = Object.entries(lock.packages)
    .filter(([path, e]) => path !== '' && e.hasInstallScript)
    .map(([path]) =>
      path.includes('node_modules/') ? path.slice(path.lastIndexOf('node_modules/') + 13) : `file:../${path}`,
    )
    .sort();
  assert.deepEqual(Object.keys(pkg.allowScripts).sort(), wanted);
  // The oneDNN addon's build must run; the ones it is not needed for are denied explicitly (no npm warning either way).
  assert.equal(pkg.allowScripts['file:../native/dnnl'], true);
  const links = Object.values(lock.packages).filter((e) => e.link);
  assert.ok(
    links.some((e) => e.resolved === 'native/dnnl'),
    'the addon is a link to native/dnnl',
  );
});
