import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../src/results/atomic.js';

test('writeFileAtomic writes, overwrites and leaves no temp files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecgssl-atomic-'));
  try {
    const file = join(dir, 'a.json');
    await writeFileAtomic(file, '{"v":1}');
    await writeFileAtomic(file, new Uint8Array([123, 125]));
    assert.equal(readFileSync(file, 'utf8'), '{}');
    // Concurrent writers: the file ends as one of the complete versions, never a mix.
    const texts = Array.from({ length: 8 }, (_, i) => `${i}`.repeat(10000));
    await Promise.all(texts.map((t) => writeFileAtomic(file, t)));
    assert.ok(texts.includes(readFileSync(file, 'utf8')));
    assert.deepEqual(readdirSync(dir), ['a.json']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeFileAtomic into a missing folder rejects and leaves nothing behind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecgssl-atomic-'));
  try {
    await assert.rejects(writeFileAtomic(join(dir, 'no', 'x.txt'), 'x'), /ENOENT/);
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
