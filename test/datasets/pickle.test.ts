// The safe pickle parser: Python 3 pickles (protocols 2 and 4) of numpy arrays, and refused or broken input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parsePickle,
  pickleArray,
  pickleColumn,
  pickleField,
  PyBytes,
  type PickleValue,
} from '../../src/datasets/formats/pickle/index.js';
import { UserError } from '../../src/errors.js';

/**
 * `pickle.dumps(d, protocol=p)` by Python 3.11 with numpy 1.24 of
 * d = {'label': np.array([1, 2, 2], dtype='<i8'), 'x': np.array([[1.5], [-2.25]], dtype='>f4'),
 *      'raw': b'\xff\x00', 'n': 2**40, 'f': 0.5, 'l': [None, True]}
 */
const PY3 = {
  2: 'gAJ9cQAoWAUAAABsYWJlbHEBY251bXB5LmNvcmUubXVsdGlhcnJheQpfcmVjb25zdHJ1Y3QKcQJjbnVtcHkKbmRhcnJheQpxA0sAhXEEY19jb2RlY3MKZW5jb2RlCnEFWAEAAABicQZYBgAAAGxhdGluMXEHhnEIUnEJh3EKUnELKEsBSwOFcQxjbnVtcHkKZHR5cGUKcQ1YAgAAAGk4cQ6JiIdxD1JxEChLA1gBAAAAPHERTk5OSv////9K/////0sAdHESYoloBVgYAAAAAQAAAAAAAAACAAAAAAAAAAIAAAAAAAAAcRNoB4ZxFFJxFXRxFmJYAQAAAHhxF2gCaANLAIVxGGgJh3EZUnEaKEsBSwJLAYZxG2gNWAIAAABmNHEciYiHcR1ScR4oSwNYAQAAAD5xH05OTkr/////Sv////9LAHRxIGKJaAVYCgAAAD/DgAAAw4AQAABxIWgHhnEiUnEjdHEkYlgDAAAAcmF3cSVoBVgDAAAAw78AcSZoB4ZxJ1JxKFgBAAAAbnEpigYAAAAAAAFYAQAAAGZxKkc/4AAAAAAAAFgBAAAAbHErXXEsKE6IZXUu',
  4: 'gASVKgEAAAAAAAB9lCiMBWxhYmVslIwVbnVtcHkuY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLA4WUaAWMBWR0eXBllJOUjAJpOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMYAQAAAAAAAAACAAAAAAAAAAIAAAAAAAAAlHSUYowBeJRoBGgHSwCFlGgJh5RSlChLAUsCSwGGlGgOjAJmNJSJiIeUUpQoSwOMAT6UTk5OSv////9K/////0sAdJRiiUMIP8AAAMAQAACUdJRijANyYXeUQwL/AJSMAW6UigYAAAAAAAGMAWaURz/gAAAAAAAAjAFslF2UKE6IZXUu',
};

const bytesOf = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));

test('parsePickle reads Python 3 pickles of numpy arrays (protocol 2 with _codecs.encode, protocol 4 with frames)', () => {
  for (const [p, b64] of Object.entries(PY3)) {
    const v = parsePickle(Buffer.from(b64, 'base64'), `py3-${p}.pkl`);
    const col = (k: string): number[] =>
      Array.from(pickleColumn(pickleArray(pickleField(v, k, '', 'f'), k, 'f'), 0, k, 'f'));
    assert.deepEqual(col('label'), [1, 2, 2], `protocol ${p}`);
    assert.deepEqual(col('x'), [1.5, -2.25], `protocol ${p}: big-endian f4, shape (2, 1)`);
    const raw = pickleField(v, 'raw', '', 'f');
    assert.ok(raw instanceof PyBytes);
    assert.deepEqual(Array.from(raw.bytes), [0xff, 0]);
    assert.equal(pickleField(v, 'n', '', 'f'), 2 ** 40);
    assert.equal(pickleField(v, 'f', '', 'f'), 0.5);
    assert.deepEqual(pickleField(v, 'l', '', 'f'), [null, true]);
  }
});

const oneLine = (re: RegExp) => (e: unknown) =>
  e instanceof UserError && !e.message.includes('\n') && re.test(e.message);

test('parsePickle never runs anything: other globals, unknown opcodes and broken input are one-line errors', () => {
  // os.system('ls'): refused at its GLOBAL opcode, before anything else is read.
  assert.throws(
    () => parsePickle(bytesOf('\x80\x02cos\nsystem\nU\x02ls\x85R.'), 'evil.pkl'),
    oneLine(/readPickle: evil\.pkl .*global os\.system is not allowed/),
  );
  assert.throws(
    () => parsePickle(bytesOf('\x80\x02c__builtin__\neval\n.'), 'evil2.pkl'),
    oneLine(/global __builtin__\.eval is not allowed/),
  );
  // INST / OBJ / NEWOBJ / PERSID are not data opcodes.
  assert.throws(
    () => parsePickle(bytesOf('(i__main__\nX\n.'), 'inst.pkl'),
    oneLine(/opcode 0x69 is not supported/),
  );
  assert.throws(() => parsePickle(bytesOf('\x80\x02}q\x00(U\x01a'), 'cut.pkl'), oneLine(/ends without STOP/));
  assert.throws(
    () => parsePickle(bytesOf('\x80\x02T\xff\xff\xff\x7fab.'), 'big.pkl'),
    oneLine(/declares 2147483647 bytes, only 3 remain/),
  );
  assert.throws(
    () => parsePickle(bytesOf('\x80\x02h\x05.'), 'memo.pkl'),
    oneLine(/memo entry 5 is read before/),
  );
  assert.throws(() => parsePickle(bytesOf('\x80\x02s.'), 'under.pkl'), oneLine(/stack underflow/));
  // An array whose shape does not match its bytes: refused before any allocation.
  const v: PickleValue = parsePickle(Buffer.from(PY3[2], 'base64'), 'ok.pkl');
  const arr = pickleArray(pickleField(v, 'label', '', 'ok.pkl'), 'label', 'ok.pkl');
  arr.shape = [1e9];
  assert.throws(
    () => pickleColumn(arr, 0, 'label', 'ok.pkl'),
    oneLine(/ok\.pkl: label has 24 bytes for shape \(1000000000\)/),
  );
  assert.throws(
    () => pickleField(v, 'signal', '', 'ok.pkl'),
    oneLine(/ok\.pkl: no field signal \(fields: label, x, raw/),
  );
});
