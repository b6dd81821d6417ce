import protobuf from 'protobufjs';

/**
 * int64 fields kept exact as `bigint` in plain objects. Every other 64-bit integer field is a `number` and must be a
 * safe integer.
 */
const BIGINT_FIELDS: ReadonlySet<string> = new Set([
  '.onnx.TensorProto.int64_data',
  '.onnx.TensorProto.uint64_data',
  '.onnx.AttributeProto.i',
  '.onnx.AttributeProto.ints',
]);

const TWO_32 = 0x1_0000_0000n;

/** A protobufjs Long, or the `{ low, high }` bits the writer takes. */
interface LongBits {
  readonly low: number;
  readonly high: number;
}

type Plain = Record<string, unknown>;

/**
 * Converts a decoded protobufjs message to a plain object: only present singular fields, every repeated field as an
 * array, `bytes` as plain `Uint8Array` views, int64 as `bigint` or safe `number` (see the module's conventions),
 * enums as numbers, and unknown fields under `$unknowns`.
 * @param type - the message type
 * @param message - the decoded message
 * @param path - where the message sits, for error messages
 * @returns the plain object
 * @throws Error when a `number` int64 field holds a value that is not a safe integer
 */
export function toPlain(type: protobuf.Type, message: object, path = type.name): Plain {
  const m = message as Record<string, unknown>;
  const out: Plain = {};
  for (const field of type.fieldsArray) {
    const value = m[field.name];
    if (field.repeated) {
      const items: unknown[] = Array.isArray(value) ? value : [];
      out[field.name] = isPlainScalar(field) ? [...items] : items.map((v, k) => valueToPlain(field, v, `${path}.${field.name}[${k}]`));
    } else if (value != null && Object.prototype.hasOwnProperty.call(m, field.name)) {
      out[field.name] = valueToPlain(field, value, `${path}.${field.name}`);
    }
  }
  const unknowns = m['$unknowns'];
  if (Array.isArray(unknowns) && unknowns.length > 0) out['$unknowns'] = unknowns.map((b: Uint8Array) => plainBytes(b));
  return out;
}

/** True for fields whose decoded values are already plain: numbers, booleans, strings and enums. */
function isPlainScalar(field: protobuf.Field): boolean {
  return !field.long && field.type !== 'bytes' && !(field.resolve().resolvedType instanceof protobuf.Type);
}

function valueToPlain(field: protobuf.Field, value: unknown, path: string): unknown {
  const resolved = field.resolve().resolvedType;
  if (resolved instanceof protobuf.Type) return toPlain(resolved, value as object, path);
  if (field.type === 'bytes') return plainBytes(value as Uint8Array);
  if (field.long) {
    const exact = longToBigInt(value as LongBits | number, field.type === 'uint64' || field.type === 'fixed64');
    if (BIGINT_FIELDS.has(field.fullName)) return exact;
    const n = Number(exact);
    if (!Number.isSafeInteger(n)) throw new Error(`${path} is ${exact}, beyond the safe integer range of a JavaScript number`);
    return n;
  }
  return value;
}

/**
 * Converts a plain object back to the form protobufjs encodes: nested messages converted, int64 values to Long bits,
 * `$unknowns` kept. Fields that are `undefined` or `null` are left out.
 * @param type - the message type
 * @param plain - the plain object
 * @param path - where the object sits, for error messages
 * @returns an object ready for `type.encode`
 * @throws TypeError when an int64 field is neither an integer `number` nor a `bigint`
 */
export function fromPlain(type: protobuf.Type, plain: object, path = type.name): Plain {
  const p = plain as Record<string, unknown>;
  const out: Plain = {};
  for (const field of type.fieldsArray) {
    const value = p[field.name];
    if (value == null) continue;
    if (field.repeated) {
      if (!Array.isArray(value)) throw new TypeError(`${path}.${field.name} must be an array`);
      out[field.name] = value.map((v, k) => valueFromPlain(field, v, `${path}.${field.name}[${k}]`));
    } else {
      out[field.name] = valueFromPlain(field, value, `${path}.${field.name}`);
    }
  }
  const unknowns = p['$unknowns'];
  if (Array.isArray(unknowns) && unknowns.length > 0) out['$unknowns'] = unknowns;
  return out;
}

function valueFromPlain(field: protobuf.Field, value: unknown, path: string): unknown {
  const resolved = field.resolve().resolvedType;
  if (resolved instanceof protobuf.Type) {
    if (typeof value !== 'object' || value === null) throw new TypeError(`${path} must be an object`);
    return fromPlain(resolved, value, path);
  }
  if (field.long) return bigIntToLong(toBigInt(value, path));
  return value;
}

function toBigInt(value: unknown, path: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) {
    if (!Number.isSafeInteger(value)) throw new TypeError(`${path} is ${value}, not a safe integer: give it as a bigint`);
    return BigInt(value);
  }
  throw new TypeError(`${path} must be an integer (number or bigint), got ${typeof value === 'number' ? value : typeof value}`);
}

/**
 * The exact value of a decoded 64-bit integer.
 * @param value - a protobufjs Long (or `{ low, high }` bits), or a number when Long support is missing
 * @param unsigned - read the bits as unsigned
 * @returns the value as a bigint
 */
export function longToBigInt(value: LongBits | number, unsigned: boolean): bigint {
  if (typeof value === 'number') return BigInt(value);
  const bits = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
  return unsigned ? bits : BigInt.asIntN(64, bits);
}

/**
 * The two's-complement bits of a 64-bit integer, in the form the protobufjs writer takes.
 * @param value - a signed or unsigned 64-bit value
 * @returns its low and high 32 bits
 * @throws RangeError when the value does not fit 64 bits
 */
export function bigIntToLong(value: bigint): LongBits {
  if (value < -(1n << 63n) || value >= 1n << 64n) throw new RangeError(`${value} does not fit 64 bits`);
  const bits = BigInt.asUintN(64, value);
  return { low: Number(bits % TWO_32) | 0, high: Number(bits / TWO_32) | 0 };
}

/** A plain `Uint8Array` over the same memory (a Node `Buffer` becomes a `Uint8Array`). */
function plainBytes(b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
