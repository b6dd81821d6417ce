import { EnvisionError } from '@envision/core';

/** A storage a tensor points into: a persistent id `('storage', class, key, location, numel)` of a torch zip file. */
export interface StorageRef {
  readonly kind: 'storage';
  /** The storage class name, e.g. `FloatStorage`. */
  readonly type: string;
  /** The record key: the storage's bytes are the zip entry `<folder>/data/<key>`. */
  readonly key: string;
  /** Elements in the storage. */
  readonly numel: number;
}

/** A tensor as `torch._utils._rebuild_tensor_v2` describes it: a view into a storage. */
export interface TensorRef {
  readonly kind: 'tensor';
  readonly storage: StorageRef;
  /** Offset into the storage, in elements. */
  readonly offset: number;
  readonly shape: readonly number[];
  /** Strides in elements. */
  readonly stride: readonly number[];
}

/** A Python tuple (kept apart from lists so the shapes of values can be checked). */
export interface PyTuple {
  readonly kind: 'tuple';
  readonly items: readonly PyValue[];
}

/** A global the unpickler allows, not yet called. */
export interface PyGlobal {
  readonly kind: 'global';
  readonly name: string;
}

/** A dictionary (`dict` or `collections.OrderedDict`), insertion-ordered. */
export type PyDict = Map<PyValue, PyValue>;

/** The values a restricted torch state-dict pickle can hold. */
export type PyValue = null | boolean | number | bigint | string | Uint8Array | PyValue[] | PyTuple | PyDict | PyGlobal | StorageRef | TensorRef;

/** Storage classes: element size and how elements are read (see `torch.py`'s storage types). */
export const STORAGE_TYPES: Readonly<Record<string, { readonly bytes: number }>> = {
  FloatStorage: { bytes: 4 },
  DoubleStorage: { bytes: 8 },
  HalfStorage: { bytes: 2 },
  BFloat16Storage: { bytes: 2 },
  LongStorage: { bytes: 8 },
  IntStorage: { bytes: 4 },
  ShortStorage: { bytes: 2 },
  CharStorage: { bytes: 1 },
  ByteStorage: { bytes: 1 },
  BoolStorage: { bytes: 1 },
};

const ORDERED_DICT = 'collections.OrderedDict';
const REBUILD_TENSOR = 'torch._utils._rebuild_tensor_v2';

/** True for the only globals a state dict needs. */
function allowedGlobal(name: string): boolean {
  if (name === ORDERED_DICT || name === REBUILD_TENSOR) return true;
  return name.startsWith('torch.') && Object.hasOwn(STORAGE_TYPES, name.slice('torch.'.length));
}

const MARK = Symbol('mark');
type StackItem = PyValue | typeof MARK;

function isTuple(v: PyValue): v is PyTuple {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && !(v instanceof Uint8Array) && v.kind === 'tuple';
}

function int(v: PyValue, what: string): number {
  if (typeof v === 'bigint') v = Number(v);
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new Error(`${what} must be an integer`);
  return v;
}

function ints(v: PyValue, what: string): number[] {
  if (!isTuple(v)) throw new Error(`${what} must be a tuple`);
  return v.items.map((x, i) => int(x, `${what}[${i}]`));
}

/** `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, backward_hooks[, metadata])`. */
function rebuildTensor(args: readonly PyValue[]): TensorRef {
  if (args.length < 6 || args.length > 7) throw new Error(`_rebuild_tensor_v2 takes 6 or 7 arguments, got ${args.length}`);
  const storage = args[0]!;
  if (typeof storage !== 'object' || storage === null || (storage as StorageRef).kind !== 'storage') throw new Error('_rebuild_tensor_v2: the first argument must be a storage');
  const shape = ints(args[2]!, 'size');
  const stride = ints(args[3]!, 'stride');
  if (shape.length !== stride.length) throw new Error(`_rebuild_tensor_v2: size and stride differ in length`);
  return { kind: 'tensor', storage: storage as StorageRef, offset: int(args[1]!, 'storage offset'), shape, stride };
}

/** A persistent id `('storage', torch.XStorage, key, location, numel)`. */
function persistentLoad(pid: PyValue): StorageRef {
  if (!isTuple(pid) || pid.items.length !== 5 || pid.items[0] !== 'storage') throw new Error("persistent ids must be ('storage', class, key, location, numel)");
  const [, cls, key, , numel] = pid.items;
  const g = cls as PyGlobal;
  if (typeof g !== 'object' || g === null || g.kind !== 'global' || !g.name.startsWith('torch.')) throw new Error('a persistent id names no storage class');
  if (typeof key !== 'string' || !/^[\w.-]+$/.test(key)) throw new Error('a persistent id has an invalid storage key');
  return { kind: 'storage', type: g.name.slice('torch.'.length), key, numel: int(numel!, 'storage numel') };
}

/** Calls an allowed global (REDUCE). */
function call(fn: PyValue, args: PyValue): PyValue {
  const g = fn as PyGlobal;
  if (typeof g !== 'object' || g === null || g.kind !== 'global') throw new Error('REDUCE on something that is not a callable global');
  if (!isTuple(args)) throw new Error(`REDUCE of ${g.name}: arguments must be a tuple`);
  if (g.name === ORDERED_DICT) {
    if (args.items.length === 0) return new Map();
    const items = args.items[0];
    if (args.items.length !== 1 || !Array.isArray(items)) throw new Error('OrderedDict takes no arguments or one list of pairs');
    const map: PyDict = new Map();
    for (const pair of items) {
      if (!isTuple(pair) || pair.items.length !== 2) throw new Error('OrderedDict items must be pairs');
      map.set(pair.items[0]!, pair.items[1]!);
    }
    return map;
  }
  if (g.name === REBUILD_TENSOR) return rebuildTensor(args.items);
  throw new Error(`${g.name} cannot be called`);
}

/**
 * Unpickles a torch state dict (`data.pkl` of a torch ≥ 1.6 zip file) without executing anything. Only the opcodes
 * a state dict uses (protocols 2–5) are understood, and only the globals `collections.OrderedDict`,
 * `torch._utils._rebuild_tensor_v2` and the `torch.*Storage` classes (as persistent ids); `BUILD` is accepted on a
 * dictionary only (it sets the `_metadata` torch attaches, which is ignored).
 * @param bytes - the pickle
 * @param source - its name, for messages (e.g. `model.bin: archive/data.pkl`)
 * @returns the unpickled value: for a state dict, a {@link PyDict} from key to {@link TensorRef}
 * @throws EnvisionError `E_BUNDLE`, one line naming the source, for any other global (named), an unsupported opcode,
 *   or a malformed or truncated pickle
 */
export function unpickle(bytes: Uint8Array, source: string): PyValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const stack: StackItem[] = [];
  const memo = new Map<number, PyValue>();
  let p = 0;
  const fail = (message: string): never => {
    throw new EnvisionError('E_BUNDLE', `${source}: ${message}`);
  };
  const need = (n: number) => {
    if (p + n > bytes.byteLength) fail('the pickle is truncated');
  };
  const u8 = () => (need(1), bytes[p++]!);
  const u16 = () => (need(2), (p += 2), view.getUint16(p - 2, true));
  const u32 = () => (need(4), (p += 4), view.getUint32(p - 4, true));
  const i32 = () => (need(4), (p += 4), view.getInt32(p - 4, true));
  const take = (n: number) => (need(n), (p += n), bytes.subarray(p - n, p));
  const line = (): string => {
    const nl = bytes.indexOf(0x0a, p);
    if (nl < 0) fail('the pickle is truncated');
    const s = new TextDecoder('latin1').decode(bytes.subarray(p, nl));
    p = nl + 1;
    return s;
  };
  const pop = (): PyValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) fail('stack underflow: the pickle is malformed');
    return v as PyValue;
  };
  const top = (): PyValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) fail('stack underflow: the pickle is malformed');
    return v as PyValue;
  };
  const popMark = (): PyValue[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) fail('MARK missing: the pickle is malformed');
    const items = stack.splice(at) as PyValue[];
    items.shift();
    return items;
  };
  const global = (module: string, name: string): PyGlobal => {
    const full = `${module}.${name}`;
    if (!allowedGlobal(full)) fail(`unsupported global '${full}' in data.pkl: a state dict needs only OrderedDict and torch tensors`);
    return { kind: 'global', name: full };
  };
  const get = (k: number): PyValue => {
    if (!memo.has(k)) fail(`memo entry ${k} is undefined: the pickle is malformed`);
    return memo.get(k)!;
  };
  const dictOf = (v: PyValue, op: string): PyDict => {
    if (!(v instanceof Map)) fail(`${op} on something that is not a dictionary`);
    return v as PyDict;
  };
  const listOf = (v: PyValue, op: string): PyValue[] => {
    if (!Array.isArray(v)) fail(`${op} on something that is not a list`);
    return v as PyValue[];
  };
  const str = (b: Uint8Array): string => {
    try {
      return decoder.decode(b);
    } catch {
      return fail('a string is not valid UTF-8');
    }
  };
  const guard = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof EnvisionError) throw e;
      return fail((e as Error).message);
    }
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail('pickle protocol above 5');
        break;
      case 0x95: // FRAME
        take(8);
        break;
      case 0x2e: // STOP
        if (stack.length !== 1) fail('the pickle ends with a malformed stack');
        return pop();
      case 0x63: // GLOBAL
        stack.push(global(line(), line()));
        break;
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof name !== 'string' || typeof module !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
        stack.push(get(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(get(u32()));
        break;
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x30: // POP
        if (stack.pop() === undefined) fail('stack underflow: the pickle is malformed');
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push({ kind: 'tuple', items: [] });
        break;
      case 0x74: // TUPLE
        stack.push({ kind: 'tuple', items: popMark() });
        break;
      case 0x85: // TUPLE1
        stack.push({ kind: 'tuple', items: [pop()] });
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push({ kind: 'tuple', items: [pop(), b] });
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push({ kind: 'tuple', items: [pop(), b, c] });
        break;
      }
      case 0x58: // BINUNICODE
        stack.push(str(take(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(str(take(u8())));
        break;
      case 0x8d: {
        // BINUNICODE8
        const n = guard(() => Number(view.getBigUint64((need(8), p), true)));
        p += 8;
        stack.push(str(take(n)));
        break;
      }
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: {
        // LONG1: little-endian two's complement
        const b = take(u8());
        let v = 0n;
        for (let k = b.length - 1; k >= 0; k--) v = (v << 8n) | BigInt(b[k]!);
        if (b.length > 0 && b[b.length - 1]! >= 0x80) v -= 1n << BigInt(8 * b.length);
        stack.push(Number.isSafeInteger(Number(v)) ? Number(v) : v);
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        need(8);
        stack.push(view.getFloat64(p, false));
        p += 8;
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        stack.push(guard(() => call(fn, args)));
        break;
      }
      case 0x62: {
        // BUILD: only the state torch attaches to an OrderedDict (its `_metadata`), which is ignored
        const state = pop();
        dictOf(top(), 'BUILD');
        if (state !== null && !(state instanceof Map)) fail('BUILD with a state that is not a dictionary');
        break;
      }
      case 0x51: // BINPERSID
        stack.push(guard(() => persistentLoad(pop())));
        break;
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        dictOf(top(), 'SETITEM').set(key, value);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        if (items.length % 2 !== 0) fail('SETITEMS with an odd number of items');
        const dict = dictOf(top(), 'SETITEMS');
        for (let k = 0; k < items.length; k += 2) dict.set(items[k]!, items[k + 1]!);
        break;
      }
      case 0x61: {
        // APPEND
        const value = pop();
        listOf(top(), 'APPEND').push(value);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        listOf(top(), 'APPENDS').push(...items);
        break;
      }
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${p - 1}: a state dict needs only OrderedDict and torch tensors`);
    }
  }
}
