import { describe, it, expect } from 'vitest';
import { tensor } from '../tensor.js';
import { DataType, dataTypeName, tensorFromProto, tensorToProto } from './tensor-proto.js';
import type { TensorProto } from './types.js';

/** A TensorProto with every repeated field empty, overridden by `fields`. */
function proto(fields: Partial<TensorProto>): TensorProto {
  return {
    dims: [],
    float_data: [],
    int32_data: [],
    string_data: [],
    int64_data: [],
    external_data: [],
    double_data: [],
    uint64_data: [],
    metadata_props: [],
    ...fields,
  };
}

/** `bytes` placed at byte offset `offset` of a larger buffer, returned as a view. */
function at(offset: number, bytes: readonly number[]): Uint8Array {
  const buf = new Uint8Array(offset + bytes.length + 3);
  buf.set(bytes, offset);
  return buf.subarray(offset, offset + bytes.length);
}

describe('tensorToProto / tensorFromProto', () => {
  it('round-trip float32, float64 and int64 tensors of any rank, including scalars and empty tensors', () => {
    const cases = [
      tensor('float32', [2, 3], Float32Array.from([0, 1.5, -2, 3.25, Math.fround(0.1), -0])),
      tensor('float32', [], Float32Array.from([7])),
      tensor('float32', [0, 4], new Float32Array(0)),
      tensor('float64', [3], Float64Array.from([0.1, -1e300, Number.MIN_VALUE])),
      tensor('int64', [2, 1], BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n])),
      tensor('int64', [], BigInt64Array.from([2n ** 53n + 1n])),
    ];
    for (const t of cases) {
      const p = tensorToProto('t', t);
      expect(p.name).toBe('t');
      expect(p.dims).toEqual(t.shape);
      expect(tensorFromProto(p)).toEqual(t);
    }
  });

  it('writes raw_data little-endian', () => {
    const p = tensorToProto('one', tensor('float32', [1], Float32Array.from([1])));
    expect(p.data_type).toBe(DataType.FLOAT);
    expect([...p.raw_data!]).toEqual([0x00, 0x00, 0x80, 0x3f]);
    const q = tensorToProto('n', tensor('int64', [1], BigInt64Array.from([258n])));
    expect([...q.raw_data!]).toEqual([2, 1, 0, 0, 0, 0, 0, 0]);
  });

  it('reads raw_data that starts at an odd byte offset', () => {
    const le = [...new Uint8Array(Float32Array.from([1.5, -2, 1e-3]).buffer)];
    const raw = at(3, le);
    expect(raw.byteOffset % 4).not.toBe(0);
    const t = tensorFromProto(proto({ dims: [3], data_type: DataType.FLOAT, raw_data: raw }));
    expect([...t.data]).toEqual([1.5, -2, Math.fround(1e-3)]);
    const i64 = at(1, [...new Uint8Array(BigInt64Array.from([2n ** 60n + 3n, -5n]).buffer)]);
    expect([...tensorFromProto(proto({ dims: [2], data_type: DataType.INT64, raw_data: i64 })).data]).toEqual([2n ** 60n + 3n, -5n]);
    const f64 = at(5, [...new Uint8Array(Float64Array.from([Math.PI]).buffer)]);
    expect([...tensorFromProto(proto({ dims: [], data_type: DataType.DOUBLE, raw_data: f64 })).data]).toEqual([Math.PI]);
  });

  it('reads the typed data fields', () => {
    expect(tensorFromProto(proto({ dims: [2], data_type: DataType.FLOAT, float_data: [0.5, -1] }))).toEqual(
      tensor('float32', [2], Float32Array.from([0.5, -1])),
    );
    expect(tensorFromProto(proto({ dims: [1], data_type: DataType.DOUBLE, double_data: [0.1] }))).toEqual(
      tensor('float64', [1], Float64Array.from([0.1])),
    );
    expect(tensorFromProto(proto({ dims: [], data_type: DataType.INT64, int64_data: [2n ** 62n + 1n] }))).toEqual(
      tensor('int64', [], BigInt64Array.from([2n ** 62n + 1n])),
    );
    expect(tensorFromProto(proto({ dims: [3], data_type: DataType.INT32, int32_data: [-3, 0, 2 ** 31 - 1] }))).toEqual(
      tensor('int64', [3], BigInt64Array.from([-3n, 0n, 2n ** 31n - 1n])),
    );
    expect([...tensorFromProto(proto({ dims: [3], data_type: DataType.BOOL, int32_data: [1, 0, 1] })).data]).toEqual([1n, 0n, 1n]);
    expect([...tensorFromProto(proto({ dims: [1], data_type: DataType.UINT32, uint64_data: [2n ** 32n - 1n] })).data]).toEqual([2n ** 32n - 1n]);
    expect([...tensorFromProto(proto({ dims: [2], data_type: DataType.FLOAT16, int32_data: [0x3c00, 0xc000] })).data]).toEqual([1, -2]);
  });

  it('widens small integer and half-precision raw_data exactly', () => {
    const read = (data_type: number, bytes: number[], dims = [bytes.length]): unknown[] =>
      [...tensorFromProto(proto({ dims, data_type, raw_data: at(1, bytes) })).data];
    expect(read(DataType.INT8, [0xff, 0x7f, 0x80])).toEqual([-1n, 127n, -128n]);
    expect(read(DataType.UINT8, [0xff, 0x00])).toEqual([255n, 0n]);
    expect(read(DataType.BOOL, [1, 0, 1])).toEqual([1n, 0n, 1n]);
    expect(read(DataType.INT16, [0xfe, 0xff], [1])).toEqual([-2n]);
    expect(read(DataType.UINT16, [0xfe, 0xff], [1])).toEqual([65534n]);
    expect(read(DataType.INT32, [0xff, 0xff, 0xff, 0xff], [1])).toEqual([-1n]);
    expect(read(DataType.UINT32, [0xff, 0xff, 0xff, 0xff], [1])).toEqual([4294967295n]);
    // float16: 1, -2, 0.5, 65504 (largest), 2^-24 (smallest subnormal), +inf
    expect(read(DataType.FLOAT16, [0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38, 0xff, 0x7b, 0x01, 0x00, 0x00, 0x7c], [6])).toEqual([
      1, -2, 0.5, 65504, 2 ** -24, Infinity,
    ]);
    expect(read(DataType.BFLOAT16, [0x80, 0x3f, 0x40, 0xc0], [2])).toEqual([1, -3]);
  });

  it('refuses wrong sizes, external data and unsupported types, naming the tensor', () => {
    expect(() => tensorFromProto(proto({ name: 'w', dims: [2, 2], data_type: DataType.FLOAT, raw_data: new Uint8Array(12) }))).toThrow(
      "tensor 'w' of shape [2, 2] and type FLOAT needs 16 bytes of raw_data, got 12",
    );
    expect(() => tensorFromProto(proto({ name: 'w', dims: [3], data_type: DataType.FLOAT, float_data: [1, 2] }))).toThrow(
      "tensor 'w' of shape [3] needs 3 elements, float_data holds 2",
    );
    expect(() => tensorFromProto(proto({ name: 'w', dims: [3], data_type: DataType.FLOAT }))).toThrow('float_data holds 0');
    expect(() =>
      tensorFromProto(proto({ name: 'big', dims: [4], data_type: DataType.FLOAT, data_location: 1, external_data: [{ key: 'location', value: 'w.bin' }] })),
    ).toThrow("tensor 'big' stores its data in an external file (w.bin)");
    expect(() => tensorFromProto(proto({ name: 's', dims: [1], data_type: DataType.STRING, string_data: [new Uint8Array(1)] }))).toThrow(
      "tensor 's' has element type STRING, which Envision cannot read",
    );
    let caught: unknown;
    try {
      tensorFromProto(proto({ name: 'c', dims: [1], data_type: DataType.COMPLEX64 }));
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ name: 'EnvisionError', code: 'E_ONNX' });
  });

  it('names data types', () => {
    expect(dataTypeName(DataType.BFLOAT16)).toBe('BFLOAT16');
    expect(dataTypeName(99)).toBe('DataType(99)');
  });
});
