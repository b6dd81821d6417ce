import { describe, it, expect } from 'vitest';
import protobuf from 'protobufjs';
import { bigIntToLong, fromPlain, longToBigInt, toPlain } from './convert.js';
import { onnxType } from './onnx-proto.js';

/** Encodes a plain object of `typeName` and decodes it back to plain, keeping unknown fields. */
function roundTrip(typeName: string, plain: object): Record<string, unknown> {
  const type = onnxType(typeName);
  const bytes = type.encode(fromPlain(type, plain)).finish();
  const reader = protobuf.Reader.create(bytes);
  reader.discardUnknown = false;
  return toPlain(type, type.decode(reader));
}

describe('toPlain / fromPlain', () => {
  it('keeps values int64 fields exact as bigint, at the extremes of int64 and uint64', () => {
    const max = (1n << 63n) - 1n;
    const min = -(1n << 63n);
    const attr = roundTrip('AttributeProto', { name: 'a', type: 7, i: max, ints: [min, -1n, 0n, 2n ** 53n + 1n, max] });
    expect(attr['i']).toBe(max);
    expect(attr['ints']).toEqual([min, -1n, 0n, 2n ** 53n + 1n, max]);
    const t = roundTrip('TensorProto', { dims: [2], data_type: 13, uint64_data: [2n ** 64n - 1n, 2n ** 53n + 3n] });
    expect(t['uint64_data']).toEqual([2n ** 64n - 1n, 2n ** 53n + 3n]);
  });

  it('gives other int64 fields as numbers, and refuses ones beyond the safe range', () => {
    expect(roundTrip('TensorProto', { dims: [0, 3, -1] })['dims']).toEqual([0, 3, -1]);
    expect(roundTrip('OperatorSetIdProto', { version: 17n })).toEqual({ version: 17 });
    expect(() => roundTrip('TensorProto', { dims: [2n ** 60n] })).toThrow(/TensorProto\.dims\[0\] is 1152921504606846976, beyond the safe/);
    expect(() => fromPlain(onnxType('TensorProto'), { dims: [2 ** 60] })).toThrow(/not a safe integer: give it as a bigint/);
  });

  it('leaves absent singular fields out, fills absent repeated fields with [], and keeps bytes as plain Uint8Array', () => {
    const v = roundTrip('TensorProto', { name: 'w', raw_data: Buffer.from([1, 2, 3]) });
    expect(Object.keys(v).sort()).toEqual(
      ['dims', 'double_data', 'external_data', 'float_data', 'int32_data', 'int64_data', 'metadata_props', 'name', 'raw_data', 'string_data', 'uint64_data'].sort(),
    );
    expect(v['raw_data']).toBeInstanceOf(Uint8Array);
    expect((v['raw_data'] as Uint8Array).constructor).toBe(Uint8Array);
    expect([...(v['raw_data'] as Uint8Array)]).toEqual([1, 2, 3]);
    // present-but-default values are kept (proto2 presence): 0, '' and false are written and read back
    expect(roundTrip('OperatorSetIdProto', { domain: '', version: 0 })).toEqual({ domain: '', version: 0 });
  });

  it('keeps fields unknown to the schema and writes them back', () => {
    const type = onnxType('StringStringEntryProto');
    const w = protobuf.Writer.create();
    w.uint32((1 << 3) | 2).string('k');
    w.uint32((99 << 3) | 0).uint64(12345);
    w.uint32((100 << 3) | 2).bytes(new Uint8Array([7, 8, 9]));
    const bytes = w.finish();
    const reader = protobuf.Reader.create(bytes);
    reader.discardUnknown = false;
    const plain = toPlain(type, type.decode(reader));
    expect(plain['key']).toBe('k');
    expect(plain['$unknowns']).toHaveLength(2);
    expect([...type.encode(fromPlain(type, plain)).finish()]).toEqual([...bytes]);
  });

  it('names the field when a value has the wrong type', () => {
    expect(() => fromPlain(onnxType('NodeProto'), { input: 'x' })).toThrow('NodeProto.input must be an array');
    expect(() => fromPlain(onnxType('NodeProto'), { attribute: [{ name: 'a', i: 1.5 }] })).toThrow(
      'NodeProto.attribute[0].i must be an integer (number or bigint), got 1.5',
    );
  });
});

describe('longToBigInt / bigIntToLong', () => {
  it('convert both ways for signed and unsigned values', () => {
    for (const v of [0n, 1n, -1n, 2n ** 32n, -(2n ** 32n) - 7n, (1n << 63n) - 1n, -(1n << 63n)]) {
      expect(longToBigInt(bigIntToLong(v), false)).toBe(v);
    }
    expect(longToBigInt(bigIntToLong(2n ** 64n - 1n), true)).toBe(2n ** 64n - 1n);
    expect(longToBigInt(bigIntToLong(-1n), true)).toBe(2n ** 64n - 1n);
    expect(longToBigInt(5, false)).toBe(5n);
    expect(() => bigIntToLong(2n ** 64n)).toThrow(RangeError);
  });
});
