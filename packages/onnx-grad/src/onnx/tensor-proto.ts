import { EnvisionError } from '../errors.js';
import { type DType, type Tensor, formatShape, sizeOf, tensor } from '../tensor.js';
import type { TensorProto } from './types.js';

/** The element types of `onnx.TensorProto.DataType`, by name (also used for `TypeProto.Tensor.elem_type`). */
export const DataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
  FLOAT8E4M3FN: 17,
  FLOAT8E4M3FNUZ: 18,
  FLOAT8E5M2: 19,
  FLOAT8E5M2FNUZ: 20,
  UINT4: 21,
  INT4: 22,
  FLOAT4E2M1: 23,
  FLOAT8E8M0: 24,
  UINT2: 25,
  INT2: 26,
} as const;

/** One `onnx.TensorProto.DataType` number. */
export type DataType = (typeof DataType)[keyof typeof DataType];

/**
 * The name of an ONNX element type, for messages.
 * @param code - a `TensorProto.DataType` number
 * @returns its name, e.g. `FLOAT`, or `DataType(99)` for an unknown number
 */
export function dataTypeName(code: number | undefined): string {
  const entry = Object.entries(DataType).find(([, v]) => v === code);
  return entry === undefined ? `DataType(${code})` : entry[0];
}

/**
 * The ONNX element type of an Envision dtype.
 * @param dtype - `float32`, `float64` or `int64`
 * @returns `DataType.FLOAT`, `DataType.DOUBLE` or `DataType.INT64`
 */
export function dataTypeOf(dtype: DType): DataType {
  return dtype === 'float32' ? DataType.FLOAT : dtype === 'float64' ? DataType.DOUBLE : DataType.INT64;
}

const FLOAT_TYPES: ReadonlySet<number> = new Set([DataType.FLOAT, DataType.FLOAT16, DataType.BFLOAT16]);

/** Bytes per element in `raw_data`, and how to read element `k` from a little-endian DataView. */
const RAW: Readonly<Record<number, readonly [number, (v: DataView, k: number) => number | bigint]>> = {
  [DataType.FLOAT]: [4, (v, k) => v.getFloat32(4 * k, true)],
  [DataType.DOUBLE]: [8, (v, k) => v.getFloat64(8 * k, true)],
  [DataType.FLOAT16]: [2, (v, k) => halfToFloat(v.getUint16(2 * k, true))],
  [DataType.BFLOAT16]: [2, (v, k) => bfloat16ToFloat(v.getUint16(2 * k, true))],
  [DataType.INT64]: [8, (v, k) => v.getBigInt64(8 * k, true)],
  [DataType.INT32]: [4, (v, k) => v.getInt32(4 * k, true)],
  [DataType.UINT32]: [4, (v, k) => v.getUint32(4 * k, true)],
  [DataType.INT16]: [2, (v, k) => v.getInt16(2 * k, true)],
  [DataType.UINT16]: [2, (v, k) => v.getUint16(2 * k, true)],
  [DataType.INT8]: [1, (v, k) => v.getInt8(k)],
  [DataType.UINT8]: [1, (v, k) => v.getUint8(k)],
  [DataType.BOOL]: [1, (v, k) => (v.getUint8(k) === 0 ? 0 : 1)],
};

/**
 * Reads a TensorProto into an Envision tensor, from `raw_data` (little-endian, at any byte offset) or from the typed
 * field (`float_data`, `double_data`, `int64_data`, `int32_data`, `uint64_data`).
 *
 * Element types: FLOAT, FLOAT16 and BFLOAT16 → `float32` (exact); DOUBLE → `float64`; INT64 → `int64`; INT32, INT16,
 * INT8, UINT32, UINT16, UINT8 and BOOL (0/1) → `int64` (exact widening). Other types are refused.
 * @param t - the tensor, e.g. an initializer or the `value` attribute of a Constant node
 * @returns a tensor with its own, aligned copy of the data
 * @throws EnvisionError `E_ONNX` naming the tensor when its type is unsupported, its data is stored externally,
 *   or the number of elements does not match its dims
 */
export function tensorFromProto(t: TensorProto): Tensor {
  const what = `tensor '${t.name ?? ''}'`;
  const shape = t.dims.map((d) => {
    if (!Number.isSafeInteger(d) || d < 0) throw new EnvisionError('E_ONNX', `${what} has invalid dims [${t.dims.join(', ')}]`);
    return d;
  });
  const n = sizeOf(shape);
  const code = t.data_type ?? DataType.UNDEFINED;
  const raw = RAW[code];
  if (raw === undefined) throw new EnvisionError('E_ONNX', `${what} has element type ${dataTypeName(code)}, which Envision cannot read`);
  if (t.data_location === 1) {
    const location = t.external_data.find((e) => e.key === 'location')?.value ?? '?';
    throw new EnvisionError('E_ONNX', `${what} stores its data in an external file (${location}), which Envision cannot read`);
  }
  const dtype: DType = code === DataType.DOUBLE ? 'float64' : FLOAT_TYPES.has(code) ? 'float32' : 'int64';
  let get: (k: number) => number | bigint;
  if (t.raw_data !== undefined) {
    const [size, read] = raw;
    if (t.raw_data.byteLength !== n * size) {
      throw new EnvisionError(
        'E_ONNX',
        `${what} of shape ${formatShape(shape)} and type ${dataTypeName(code)} needs ${n * size} bytes of raw_data, got ${t.raw_data.byteLength}`,
      );
    }
    const view = new DataView(t.raw_data.buffer, t.raw_data.byteOffset, t.raw_data.byteLength);
    get = (k) => read(view, k);
  } else {
    const { field, values } = typedField(t, code);
    if (values.length !== n) {
      throw new EnvisionError('E_ONNX', `${what} of shape ${formatShape(shape)} needs ${n} elements, ${field} holds ${values.length}`);
    }
    const decode = code === DataType.FLOAT16 ? halfToFloat : code === DataType.BFLOAT16 ? bfloat16ToFloat : undefined;
    get = decode === undefined ? (k) => values[k]! : (k) => decode(Number(values[k]!));
  }
  if (dtype === 'int64') {
    const out = new BigInt64Array(n);
    for (let k = 0; k < n; k++) {
      const v = get(k);
      out[k] = typeof v === 'bigint' ? v : BigInt(v);
    }
    return tensor('int64', shape, out);
  }
  const out = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = Number(get(k));
  return tensor(dtype, shape, out);
}

function typedField(t: TensorProto, code: number): { field: string; values: readonly (number | bigint)[] } {
  switch (code) {
    case DataType.FLOAT:
      return { field: 'float_data', values: t.float_data };
    case DataType.DOUBLE:
      return { field: 'double_data', values: t.double_data };
    case DataType.INT64:
      return { field: 'int64_data', values: t.int64_data };
    case DataType.UINT32:
      return { field: 'uint64_data', values: t.uint64_data };
    case DataType.BOOL:
      return { field: 'int32_data', values: t.int32_data.map((v) => (v === 0 ? 0 : 1)) };
    default:
      return { field: 'int32_data', values: t.int32_data };
  }
}

/** True on little-endian machines (every platform Node runs on today). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Writes an Envision tensor as a TensorProto with little-endian `raw_data` (FLOAT, DOUBLE or INT64).
 * @param name - the tensor name (the value name when used as an initializer)
 * @param t - the tensor; a scalar has shape `[]`
 * @returns the TensorProto, its repeated fields empty except `dims`
 */
export function tensorToProto(name: string, t: Tensor): TensorProto {
  const n = t.data.length;
  const size = t.dtype === 'float32' ? 4 : 8;
  const data = t.data;
  // float32 data on a little-endian machine is already ONNX's raw layout: share it instead of copying (large imported
  // weights are then held once).
  const raw = data instanceof Float32Array && LITTLE_ENDIAN ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(n * size);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (data instanceof Float32Array) {
    if (!LITTLE_ENDIAN) for (let k = 0; k < n; k++) view.setFloat32(4 * k, data[k]!, true);
  } else if (data instanceof Float64Array) for (let k = 0; k < n; k++) view.setFloat64(8 * k, data[k]!, true);
  else for (let k = 0; k < n; k++) view.setBigInt64(8 * k, data[k]!, true);
  return {
    dims: [...t.shape],
    data_type: dataTypeOf(t.dtype),
    float_data: [],
    int32_data: [],
    string_data: [],
    int64_data: [],
    name,
    raw_data: raw,
    external_data: [],
    double_data: [],
    uint64_data: [],
    metadata_props: [],
  };
}

/** IEEE 754 binary16 bits → number (exact). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** bfloat16 bits → number (exact: the high half of a float32). */
export function bfloat16ToFloat(b: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, (b & 0xffff) << 16, false);
  return view.getFloat32(0, false);
}
