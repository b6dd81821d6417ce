import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type PyValue, type TensorRef, unpickle } from './pickle.js';

/** Pickle bytes from opcodes: numbers are bytes, strings latin-1 characters. */
function pk(...parts: (number | string | number[])[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else if (typeof p === 'string') for (const c of p) out.push(c.charCodeAt(0));
    else out.push(...p);
  }
  return Uint8Array.from(out);
}
const u32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
/** BINUNICODE of an ASCII string. */
const str = (s: string) => ['X', u32(s.length), s] as const;

describe('unpickle: the opcodes of a torch state dict', () => {
  it('reads dictionaries, ints, strings and the memo', () => {
    const v = unpickle(pk(0x80, 2, '}', 'q', 0, '(', ...str('a'), 'K', 1, 0x8c, 1, 'b', 'J', u32(-5 >>> 0), 'X', u32(1), 'c', 'M', 0x34, 0x12, 'u', '.'), 't');
    expect(v).toEqual(new Map<PyValue, PyValue>([['a', 1], ['b', -5], ['c', 0x1234]]));
  });

  it('reads LONG1, BINFLOAT, booleans, None, lists, tuples, FRAME, MEMOIZE and BINGET', () => {
    const float = [0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18]; // π, big-endian
    const bytes = pk(0x80, 4, 0x95, [8, 0, 0, 0, 0, 0, 0, 0], ']', 0x94, '(', 0x8a, 2, 0xff, 0x7f, 0x8a, 1, 0xff, 0x8a, 9, [0, 0, 0, 0, 0, 0, 0, 0, 1], 'G', float, 0x88, 0x89, 'N', 'K', 7, 0x85, 'K', 1, 'K', 2, 0x86, 'K', 1, 'K', 2, 'K', 3, 0x87, ')', 'h', 0, 'e', '.');
    const v = unpickle(bytes, 't') as PyValue[];
    expect(v.slice(0, 7)).toEqual([0x7fff, -1, 1n << 64n, Math.PI, true, false, null]);
    expect(v[7]).toEqual({ kind: 'tuple', items: [7] });
    expect(v[8]).toEqual({ kind: 'tuple', items: [1, 2] });
    expect(v[9]).toEqual({ kind: 'tuple', items: [1, 2, 3] });
    expect(v[10]).toEqual({ kind: 'tuple', items: [] });
    expect(v[11]).toBe(v); // BINGET 0: the list itself (memoised by MEMOIZE)
  });

  it('rebuilds OrderedDict (GLOBAL and STACK_GLOBAL), tensors from persistent ids, and accepts the _metadata BUILD', () => {
    const tensorArgs = ['(', '(', ...str('storage'), 'c', 'torch\nHalfStorage\n', ...str('3'), ...str('cpu'), 'K', 6, 't', 'Q', 'K', 2, 'K', 2, 'K', 2, 0x86, 'K', 1, 'K', 2, 0x86, 0x89, 'c', 'collections\nOrderedDict\n', ')', 'R', 't'] as const;
    const bytes = pk(
      0x80, 2, ...str('collections'), ...str('OrderedDict'), 0x93, ')', 'R',
      ...str('w'), 'c', 'torch._utils\n_rebuild_tensor_v2\n', ...tensorArgs, 'R', 's',
      '}', ...str('_metadata'), 'c', 'collections\nOrderedDict\n', ')', 'R', 's', 'b', '.',
    );
    const v = unpickle(bytes, 't') as Map<PyValue, PyValue>;
    expect([...v.keys()]).toEqual(['w']);
    const t = v.get('w') as TensorRef;
    expect(t).toEqual({ kind: 'tensor', storage: { kind: 'storage', type: 'HalfStorage', key: '3', numel: 6 }, offset: 2, shape: [2, 2], stride: [1, 2] });
  });

  it('refuses any other global, naming it, and executes nothing', () => {
    const marker = join(tmpdir(), `envision-pwned-${process.pid}`);
    const hostile = pk(0x80, 2, 'c', 'os\nsystem\n', ...str(`touch ${marker}`), 0x85, 'R', '.');
    expect(() => unpickle(hostile, 'evil.bin: archive/data.pkl')).toThrow(
      "evil.bin: archive/data.pkl: unsupported global 'os.system' in data.pkl: a state dict needs only OrderedDict and torch tensors",
    );
    expect(existsSync(marker)).toBe(false);
    const stacked = pk(0x80, 4, 0x8c, 8, 'builtins', 0x8c, 4, 'eval', 0x93, '.');
    expect(() => unpickle(stacked, 'x')).toThrow(expect.objectContaining({ code: 'E_BUNDLE', message: expect.stringContaining("'builtins.eval'") }));
    expect(() => unpickle(pk(0x80, 2, 'c', 'torch\nload\n', '.'), 'x')).toThrow("unsupported global 'torch.load'");
  });

  it('refuses unknown opcodes, BUILD on a non-dictionary, calling a storage class, and truncation', () => {
    expect(() => unpickle(pk(0x80, 2, 'i', 'os\nsystem\n', '.'), 'x')).toThrow('unsupported pickle opcode 0x69 at byte 2');
    expect(() => unpickle(pk(0x80, 2, ')', '}', 'b', '.'), 'x')).toThrow('BUILD on something that is not a dictionary');
    expect(() => unpickle(pk(0x80, 2, 'c', 'torch\nFloatStorage\n', ')', 'R', '.'), 'x')).toThrow('torch.FloatStorage cannot be called');
    expect(() => unpickle(pk(0x80, 2, 'X', u32(10), 'ab'), 'x')).toThrow('x: the pickle is truncated');
    expect(() => unpickle(pk(0x80, 2, '}'), 'x')).toThrow('truncated');
  });
});
