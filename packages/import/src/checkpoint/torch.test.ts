import { describe, expect, it } from 'vitest';
import { readTorchCheckpoint } from './torch.js';
import { writeZip } from './zip-write.js';

const enc = new TextEncoder();
const u32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
const str = (s: string): number[] => [0x58, ...u32(enc.encode(s).length), ...enc.encode(s)];
const global = (m: string, n: string): number[] => [0x63, ...enc.encode(`${m}\n${n}\n`)];
const int = (n: number): number[] => [0x4a, ...u32(n >>> 0)];
const tuple = (xs: number[]): number[] => [0x28, ...xs.flatMap(int), 0x74];

interface Spec {
  key: string;
  storage: string;
  type: string;
  numel: number;
  offset: number;
  shape: number[];
  stride: number[];
}

/** data.pkl as torch.save writes a state dict (protocol 2, OrderedDict, _rebuild_tensor_v2, BUILD of _metadata). */
function statePickle(specs: readonly Spec[]): Uint8Array {
  const b: number[] = [0x80, 2, ...global('collections', 'OrderedDict'), 0x29, 0x52];
  for (const s of specs) {
    b.push(...str(s.key), ...global('torch._utils', '_rebuild_tensor_v2'), 0x28);
    b.push(0x28, ...str('storage'), ...global('torch', s.type), ...str(s.storage), ...str('cpu'), ...int(s.numel), 0x74, 0x51);
    b.push(...int(s.offset), ...tuple(s.shape), ...tuple(s.stride), 0x89, ...global('collections', 'OrderedDict'), 0x29, 0x52, 0x74, 0x52, 0x73);
  }
  b.push(0x7d, ...str('_metadata'), ...global('collections', 'OrderedDict'), 0x29, 0x52, 0x73, 0x62, 0x2e);
  return Uint8Array.from(b);
}

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe('readTorchCheckpoint', () => {
  const folder = 'pytorch_model';
  const specs: Spec[] = [
    { key: 'w', storage: '0', type: 'FloatStorage', numel: 8, offset: 2, shape: [2, 3], stride: [1, 2] }, // transposed view at offset 2
    { key: 'h', storage: '1', type: 'HalfStorage', numel: 3, offset: 0, shape: [3], stride: [1] },
    { key: 'bf', storage: '2', type: 'BFloat16Storage', numel: 2, offset: 0, shape: [2], stride: [1] },
    { key: 'ids', storage: '3', type: 'LongStorage', numel: 4, offset: 0, shape: [1, 4], stride: [4, 1] },
    { key: 'flag', storage: '4', type: 'BoolStorage', numel: 2, offset: 1, shape: [], stride: [] },
    { key: 'scale', storage: '0', type: 'FloatStorage', numel: 8, offset: 7, shape: [], stride: [] }, // shares storage 0
  ];
  const storages = [
    bytesOf(Float32Array.of(0, 0, 1, 2, 3, 4, 5, 6)),
    bytesOf(Uint16Array.of(0x3c00, 0xc000, 0x3555)), // 1, −2, 0.333251953125
    bytesOf(Uint16Array.of(0x3f80, 0xc0a0)), // 1, −5
    bytesOf(BigInt64Array.of(0n, 1n, 2n, -3n)),
    Uint8Array.of(0, 1),
  ];
  const entries = [
    { name: `${folder}/data.pkl`, data: statePickle(specs) },
    ...storages.map((data, k) => ({ name: `${folder}/data/${k}`, data })),
    { name: `${folder}/version`, data: enc.encode('3\n') },
  ];
  const checkpoint = writeZip(entries);

  it('rebuilds tensors: dtypes, strides, offsets, shared storages', () => {
    const sd = readTorchCheckpoint(checkpoint, 'model.bin');
    expect([...sd.keys()]).toEqual(['w', 'h', 'bf', 'ids', 'flag', 'scale']);
    expect(sd.get('w')).toEqual({ dtype: 'float32', shape: [2, 3], data: Float32Array.of(1, 3, 5, 2, 4, 6) });
    expect(sd.get('h')).toEqual({ dtype: 'float32', shape: [3], data: Float32Array.of(1, -2, 0.333251953125) });
    expect(sd.get('bf')).toEqual({ dtype: 'float32', shape: [2], data: Float32Array.of(1, -5) });
    expect(sd.get('ids')).toEqual({ dtype: 'int64', shape: [1, 4], data: BigInt64Array.of(0n, 1n, 2n, -3n) });
    expect(sd.get('flag')).toEqual({ dtype: 'int64', shape: [], data: BigInt64Array.of(1n) });
    expect(sd.get('scale')).toEqual({ dtype: 'float32', shape: [], data: Float32Array.of(6) });
  });

  it('reads a checkpoint inside a zip (MedCLIP\'s download), deflated', () => {
    const outer = writeZip([{ name: 'pytorch_model.bin', data: checkpoint, deflate: true }]);
    expect(readTorchCheckpoint(outer, 'medclip.zip').get('w')!.data).toEqual(Float32Array.of(1, 3, 5, 2, 4, 6));
  });

  it('reports what is wrong in one line', () => {
    const without = (name: string) => writeZip(entries.filter((e) => e.name !== name));
    expect(() => readTorchCheckpoint(without(`${folder}/data/3`), 'm.bin')).toThrow(
      expect.objectContaining({ code: 'E_BUNDLE', message: "m.bin: tensor 'ids' needs pytorch_model/data/3, which the archive lacks" }),
    );
    expect(() => readTorchCheckpoint(without(`${folder}/data.pkl`), 'm.bin')).toThrow(expect.objectContaining({ code: 'E_BUNDLE', message: expect.stringContaining('m.bin holds no data.pkl') }));
    expect(() => readTorchCheckpoint(checkpoint.subarray(0, checkpoint.length - 5), 'cut.bin')).toThrow(expect.objectContaining({ code: 'E_FILE' }));
    expect(() => readTorchCheckpoint(Uint8Array.of(0x80, 2, 0x8a, 0x0a), 'old.bin')).toThrow(expect.objectContaining({ code: 'E_BUNDLE', message: expect.stringContaining('legacy (pre-1.6)') }));
    expect(() => readTorchCheckpoint(enc.encode('hello'), 'x.txt')).toThrow(expect.objectContaining({ code: 'E_FILE', message: expect.stringContaining('not a zip file') }));
    const tooBig: Spec[] = [{ ...specs[0]!, shape: [3, 3], stride: [3, 1] }];
    const bad = writeZip([{ name: 'archive/data.pkl', data: statePickle(tooBig) }, { name: 'archive/data/0', data: storages[0]! }]);
    expect(() => readTorchCheckpoint(bad, 'b.bin')).toThrow("b.bin: tensor 'w': the view [3, 3] (stride [3, 1], offset 2) reaches beyond its storage of 8 elements");
  });
});
