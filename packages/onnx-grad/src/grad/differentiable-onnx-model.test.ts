import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeGraph, makeModel, makeNode, makeTensorValueInfo } from '../onnx/build.js';
import { encodeModel } from '../onnx/codec.js';
import { DataType, tensorToProto } from '../onnx/tensor-proto.js';
import { tensor, type Tensor } from '../tensor.js';
import { randomTensor } from './check-gradient.js';
import { DifferentiableOnnxModel } from './differentiable-onnx-model.js';

// y = relu(x·W1 + b1)·W2 — a model whose backward pass we can write out by hand in plain loops.
const W1 = randomTensor('float32', [4, 5], 11);
const b1 = randomTensor('float32', [5], 12);
const W2 = randomTensor('float32', [5, 3], 13);

function handVjp(x: Float32Array, c: Float32Array): Float64Array {
  const h = new Float64Array(5);
  for (let j = 0; j < 5; j++) {
    let s = b1.data[j]!;
    for (let i = 0; i < 4; i++) s += x[i]! * W1.data[i * 5 + j]!;
    h[j] = s;
  }
  const gh = new Float64Array(5);
  for (let j = 0; j < 5; j++) {
    let s = 0;
    for (let o = 0; o < 3; o++) s += c[o]! * W2.data[j * 3 + o]!;
    gh[j] = h[j]! > 0 ? s : 0;
  }
  const gx = new Float64Array(4);
  for (let i = 0; i < 4; i++) for (let j = 0; j < 5; j++) gx[i]! += gh[j]! * W1.data[i * 5 + j]!;
  return gx;
}

let file: string;
let cacheDir: string;
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'vjp-'));
  cacheDir = join(dir, 'cache');
  file = join(dir, 'mlp.onnx');
  const graph = makeGraph(
    [
      makeNode('MatMul', ['x', 'W1'], ['xw'], {}, 'mm1'),
      makeNode('Add', ['xw', 'b1'], ['h'], {}, 'add'),
      makeNode('Relu', ['h'], ['r'], {}, 'relu'),
      makeNode('MatMul', ['r', 'W2'], ['y'], {}, 'mm2'),
    ],
    'mlp',
    [makeTensorValueInfo('x', DataType.FLOAT, ['batch', 4])],
    [makeTensorValueInfo('y', DataType.FLOAT, ['batch', 3])],
    [tensorToProto('W1', W1), tensorToProto('b1', b1), tensorToProto('W2', W2)],
  );
  writeFileSync(file, encodeModel(makeModel(graph, { '': 17 }, 8)));
});

describe('DifferentiableOnnxModel', () => {
  it('computes B × K vector–Jacobian products in chunks, equal to hand-written backprop', async () => {
    const model = await DifferentiableOnnxModel.load(file, { cacheDir, rowsPerCall: 2 });
    const x = randomTensor('float32', [3, 4], 21);
    const cot = randomTensor('float32', [5, 3], 22);
    const { gradient, output } = await model.vjp({ x }, 'y', 'x', cot);
    expect(gradient.shape).toEqual([3, 5, 4]);
    expect(output.shape).toEqual([3, 3]);
    expect(model.lastStats).toMatchObject({ rowsPerCall: 2, calls: 3, source: 'built' });
    for (let b = 0; b < 3; b++) {
      for (let k = 0; k < 5; k++) {
        const expected = handVjp(x.data.subarray(b * 4, b * 4 + 4), cot.data.subarray(k * 3, k * 3 + 3));
        const got = gradient.data.subarray((b * 5 + k) * 4, (b * 5 + k + 1) * 4);
        for (let i = 0; i < 4; i++) expect(got[i]).toBeCloseTo(expected[i]!, 5);
      }
    }
    await model.dispose();
  });

  it('reuses the gradient model from memory, then from the disk cache in a new instance', async () => {
    const x = randomTensor('float32', [1, 4], 31);
    const cot = randomTensor('float32', [2, 3], 32);
    const first = await DifferentiableOnnxModel.load(file, { cacheDir });
    const a = await first.vjp({ x }, 'y', 'x', cot);
    expect(first.lastStats?.source).toBe('built');
    await first.vjp({ x }, 'y', 'x', cot);
    expect(first.lastStats?.source).toBe('memory');
    const second = await DifferentiableOnnxModel.load(file, { cacheDir });
    const b = await second.vjp({ x }, 'y', 'x', cot);
    expect(second.lastStats?.source).toBe('disk');
    expect([...b.gradient.data]).toEqual([...a.gradient.data]);
    expect(readdirSync(cacheDir).some((f) => f.startsWith('vjp-') && f.endsWith('.onnx'))).toBe(true);
    await first.dispose();
    await second.dispose();
  });

  it('remembers the sizing facts on disk: a new instance reads them instead of probing; a malformed file is probed again', async () => {
    const x = randomTensor('float32', [1, 4], 51);
    const dir = join(cacheDir, 'sizes');
    const first = await DifferentiableOnnxModel.load(file, { cacheDir: dir, memoryBudgetBytes: 2 ** 20 });
    // The probed float values of one item: xw, h, r (5 floats each) and y (3), 18 × 4 bytes.
    expect(await first.batchLimit({ x }, 'y', 'x', 2)).toBe(Math.floor(2 ** 20 / (2 * 72)));
    await first.dispose();
    const sizes = readdirSync(dir).filter((f) => f.startsWith('sizes-'));
    expect(sizes).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(dir, sizes[0]!), 'utf8'))).toEqual({ bytesPerItem: 72, batchable: true });
    writeFileSync(join(dir, sizes[0]!), JSON.stringify({ bytesPerItem: 2 ** 18, batchable: true }));
    const second = await DifferentiableOnnxModel.load(file, { cacheDir: dir, memoryBudgetBytes: 2 ** 20 });
    expect(await second.batchLimit({ x }, 'y', 'x', 2)).toBe(2); // 2^20 / (2 × 2^18): the file, not a new probe
    await second.dispose();
    writeFileSync(join(dir, sizes[0]!), '{"bytesPerItem": "many"');
    const third = await DifferentiableOnnxModel.load(file, { cacheDir: dir, memoryBudgetBytes: 2 ** 20 });
    expect(await third.batchLimit({ x }, 'y', 'x', 2)).toBe(Math.floor(2 ** 20 / (2 * 72)));
    await third.dispose();
  });

  it('rebuilds a cached gradient model whose bytes no longer match their recorded SHA-256 (corrupt or edited)', async () => {
    const x = randomTensor('float32', [1, 4], 41);
    const cot = randomTensor('float32', [3, 3], 42);
    const dir = join(cacheDir, 'verified');
    const first = await DifferentiableOnnxModel.load(file, { cacheDir: dir });
    const a = await first.vjp({ x }, 'y', 'x', cot);
    await first.dispose();
    const cached = readdirSync(dir).find((f) => f.startsWith('vjp-') && f.endsWith('.onnx'))!;
    expect(readdirSync(dir)).toContain(`${cached}.sha256`);
    for (const corrupt of [(b: Buffer) => b.subarray(0, b.length - 7), (b: Buffer) => Buffer.from(b.map((v, i) => (i === b.length - 3 ? v ^ 1 : v)))]) {
      writeFileSync(join(dir, cached), corrupt(readFileSync(join(dir, cached))));
      const again = await DifferentiableOnnxModel.load(file, { cacheDir: dir });
      const b = await again.vjp({ x }, 'y', 'x', cot);
      expect(again.lastStats?.source).toBe('built');
      expect([...b.gradient.data]).toEqual([...a.gradient.data]);
      await again.dispose();
    }
    const last = await DifferentiableOnnxModel.load(file, { cacheDir: dir });
    await last.vjp({ x }, 'y', 'x', cot);
    expect(last.lastStats?.source).toBe('disk');
    await last.dispose();
  });

  it('names the op and node when a node on the path has no rule', async () => {
    const bad = join(cacheDir, '..', 'hardmax.onnx');
    const graph = makeGraph(
      [makeNode('MatMul', ['x', 'W1'], ['xw'], {}, 'mm1'), makeNode('Hardmax', ['xw'], ['y'], {}, 'the_hardmax')],
      'bad',
      [makeTensorValueInfo('x', DataType.FLOAT, ['batch', 4])],
      [makeTensorValueInfo('y', DataType.FLOAT, ['batch', 5])],
      [tensorToProto('W1', W1)],
    );
    writeFileSync(bad, encodeModel(makeModel(graph, { '': 17 }, 8)));
    const model = await DifferentiableOnnxModel.load(bad, { cacheDir: null });
    const x: Tensor<'float32'> = tensor('float32', [1, 4], new Float32Array(4));
    await expect(model.vjp({ x }, 'y', 'x', randomTensor('float32', [1, 5]))).rejects.toThrow(
      "no gradient rule for op Hardmax (node 'the_hardmax'); perturbation methods (occlusion) still work",
    );
  });
});
