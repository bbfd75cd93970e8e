import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { UserError } from '../../src/errors.js';
import { readMat, readMatV5, type MatValue } from '../../src/datasets/formats/mat/index.js';
import { tmp } from './helpers.js';

const DIR = 'test/fixtures/mat';
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Record<string, unknown>;

/** The JSON form make.py writes (non-finite numbers as 'nan', 'inf', '-inf'). */
function plain(v: MatValue): unknown {
  switch (v.kind) {
    case 'numeric':
      return {
        kind: 'numeric',
        className: v.className,
        dims: v.dims,
        real: Array.from(v.real, (x) =>
          Number.isFinite(x) ? x : Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf',
        ),
      };
    case 'char':
      return { kind: 'char', dims: v.dims, rows: v.rows };
    case 'cell':
      return { kind: 'cell', dims: v.dims, cells: v.cells.map(plain) };
    case 'struct':
      return {
        kind: 'struct',
        dims: v.dims,
        fieldNames: v.fieldNames,
        elements: v.elements.map((e) => Object.fromEntries(Object.entries(e).map(([k, x]) => [k, plain(x)]))),
      };
  }
}

for (const file of ['plain.mat', 'compressed.mat']) {
  test(`readMat ${file}: every variable written by scipy.io.savemat matches expected.json`, async () => {
    const vars = await readMat(join(DIR, file));
    assert.deepEqual(Object.keys(vars).sort(), Object.keys(expected).sort());
    for (const [name, want] of Object.entries(expected)) assert.deepEqual(plain(vars[name]!), want, name);
  });
  test(`readMatV5 ${file}: only the named variables are read`, () => {
    const vars = readMatV5(join(DIR, file), { variables: ['joined', 'text', 'absent'] });
    assert.deepEqual(Object.keys(vars).sort(), ['joined', 'text']);
    const joined = vars.joined!;
    assert.equal(joined.kind, 'cell');
    if (joined.kind === 'cell') {
      assert.deepEqual(joined.dims, [1, 20]);
      assert.deepEqual(joined.cells[4]!.dims, [2 + (4 % 3), 17]);
    }
  });
}

/** A MAT v5 file with one compressed variable whose zlib stream is given. */
function withCompressed(stream: Buffer): Buffer {
  const header = Buffer.alloc(128, 0x20);
  header.write('MATLAB 5.0 MAT-file, test', 0, 'latin1');
  header.writeUInt16LE(0x0100, 124);
  header.write('IM', 126, 'latin1');
  const tag = Buffer.alloc(8);
  tag.writeUInt32LE(15, 0);
  tag.writeUInt32LE(stream.length, 4);
  return Buffer.concat([header, tag, stream]);
}

/** The raw (uncompressed) miMATRIX element of variable `name` from the plain fixture. */
function plainElement(name: string): Buffer {
  const buf = readFileSync(join(DIR, 'plain.mat'));
  const d = tmp('ecgssl-mat-');
  let pos = 128;
  while (pos < buf.length) {
    const n = buf.readUInt32LE(pos + 4);
    const el = buf.subarray(pos, pos + 8 + n);
    writeFileSync(join(d, 'one.mat'), withPlain(el));
    if (Object.keys(readMatV5(join(d, 'one.mat')))[0] === name) return el;
    pos += 8 + Math.ceil(n / 8) * 8;
  }
  throw new Error(`no ${name} in plain.mat`);
}
function withPlain(el: Buffer): Buffer {
  const header = Buffer.alloc(128, 0x20);
  header.write('MATLAB 5.0 MAT-file, test', 0, 'latin1');
  header.writeUInt16LE(0x0100, 124);
  header.write('IM', 126, 'latin1');
  return Buffer.concat([header, el]);
}

test('readMat inflates leniently: bad adler32, missing end, trailing bytes after the stream', () => {
  const el = plainElement('mat');
  const z = deflateSync(el);
  const d = tmp('ecgssl-mat-');
  const cases: [string, Buffer][] = [
    ['badadler', Buffer.concat([z.subarray(0, z.length - 4), Buffer.from([1, 2, 3, 4])])],
    ['noend', z.subarray(0, z.length - 4)],
    ['trailing', Buffer.concat([z, Buffer.alloc(16, 7)])],
    ['overlong', deflateSync(Buffer.concat([el, Buffer.alloc(40, 0)]))],
  ];
  for (const [name, stream] of cases) {
    const p = join(d, `${name}.mat`);
    writeFileSync(p, withCompressed(stream));
    const vars = readMatV5(p);
    assert.deepEqual(plain(vars.mat!), expected.mat, name);
  }
});

test('readMat: sizes beyond the file, non-MAT files and v7.3 without support are one-line UserErrors', async () => {
  const d = tmp('ecgssl-mat-');
  const big = withPlain(plainElement('mat'));
  big.writeUInt32LE(0x7fffffff, 128 + 4);
  writeFileSync(join(d, 'big.mat'), big);
  assert.throws(
    () => readMatV5(join(d, 'big.mat')),
    (e: unknown) => e instanceof UserError && /big\.mat.*declares 2147483647 bytes/.test(e.message),
  );
  writeFileSync(join(d, 'text.mat'), 'hello');
  assert.throws(
    () => readMatV5(join(d, 'text.mat')),
    (e: unknown) => e instanceof UserError && /text\.mat is not a MAT-file/.test(e.message),
  );
  // dims claiming 2^31 x 2^31 elements: rejected without allocating
  const el = Buffer.from(plainElement('mat'));
  el.writeInt32LE(0x7fffffff, 8 + 16 + 8);
  el.writeInt32LE(0x7fffffff, 8 + 16 + 12);
  writeFileSync(join(d, 'dims.mat'), withPlain(el));
  await assert.rejects(
    readMat(join(d, 'dims.mat')),
    (e: unknown) => e instanceof UserError && /dims\.mat/.test(e.message),
  );
});

test('readMat v7.3 (HDF5 through the optional h5wasm): numeric, char, cell of references, struct', async (t) => {
  let h5: typeof import('h5wasm/node').default;
  try {
    h5 = (await import('h5wasm/node')).default;
    await h5.ready;
  } catch {
    t.skip('h5wasm (optional dependency) is not installed');
    return;
  }
  const p = join(tmp('ecgssl-mat73-'), 'v73.mat');
  // MATLAB's layout: HDF5 shape = MATLAB dims reversed; MATLAB_class attributes; cells reference #refs#.
  const f = new h5.File(p, 'w');
  const cls = (e: { create_attribute(n: string, v: string): void }, c: string): void =>
    e.create_attribute('MATLAB_class', c);
  cls(f.create_dataset({ name: 'm', data: new Float64Array([1, 2, 3, 4, 5, 6]), shape: [3, 2] }), 'double');
  cls(
    f.create_dataset({ name: 't', data: Uint16Array.from('hello', (c) => c.charCodeAt(0)), shape: [5, 1] }),
    'char',
  );
  const refs = f.create_group('#refs#');
  const a = refs.create_dataset({ name: 'a', data: new Float64Array([7, 8]), shape: [2, 1] });
  cls(a, 'double');
  const b = refs.create_dataset({ name: 'b', data: new Uint16Array([104, 105]), shape: [2, 1] });
  cls(b, 'char');
  cls(
    f.create_dataset({ name: 'c', data: [a.create_reference(), b.create_reference()], shape: [2, 1] }),
    'cell',
  );
  const s = f.create_group('s');
  cls(s, 'struct');
  cls(s.create_dataset({ name: 'x', data: new Float64Array([42]), shape: [1, 1] }), 'double');
  f.close();
  const vars = await readMat(p);
  assert.deepEqual(Object.keys(vars).sort(), ['c', 'm', 's', 't']);
  assert.deepEqual(plain(vars.m!), {
    kind: 'numeric',
    className: 'double',
    dims: [2, 3],
    real: [1, 2, 3, 4, 5, 6],
  });
  assert.deepEqual(plain(vars.t!), { kind: 'char', dims: [1, 5], rows: ['hello'] });
  assert.deepEqual(plain(vars.c!), {
    kind: 'cell',
    dims: [1, 2],
    cells: [
      { kind: 'numeric', className: 'double', dims: [1, 2], real: [7, 8] },
      { kind: 'char', dims: [1, 2], rows: ['hi'] },
    ],
  });
  assert.deepEqual(plain(vars.s!), {
    kind: 'struct',
    dims: [1, 1],
    fieldNames: ['x'],
    elements: [{ x: { kind: 'numeric', className: 'double', dims: [1, 1], real: [42] } }],
  });
  assert.deepEqual(Object.keys(await readMat(p, { variables: ['t'] })), ['t']);
  assert.throws(() => readMatV5(p), /MAT v7\.3 \(HDF5\)|not a MAT v5 file/);
});
