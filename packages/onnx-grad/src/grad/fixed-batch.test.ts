// Models exported with a fixed batch of 1: gradients run one image and one cotangent row per call, and equal the
// hand-written backprop of the same network; the forward model runs a batch item by item.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeGraph, makeModel, makeNode, makeTensorValueInfo } from '../onnx/build.js';
import { encodeModel } from '../onnx/codec.js';
import { DataType, tensorToProto } from '../onnx/tensor-proto.js';
import { maxRelativeError, tensor } from '../tensor.js';
import { OnnxModel } from '../onnx-model.js';
import { randomTensor } from './check-gradient.js';
import { DifferentiableOnnxModel } from './differentiable-onnx-model.js';
import { BatchLayout } from './layout.js';
import { probeValues } from './probe.js';

// y = relu(reshape(x, [1, 2, 2]) flattened · W1 + b1) · W2, the batch of 1 baked into the Reshape targets.
const W1 = randomTensor('float32', [4, 5], 31);
const b1 = randomTensor('float32', [5], 32);
const W2 = randomTensor('float32', [5, 3], 33);

function handVjp(x: ArrayLike<number>, c: ArrayLike<number>): number[] {
  const h = Array.from({ length: 5 }, (_, j) => b1.data[j]! + [0, 1, 2, 3].reduce((s, i) => s + x[i]! * W1.data[i * 5 + j]!, 0));
  const gh = h.map((v, j) => (v > 0 ? [0, 1, 2].reduce((s, o) => s + c[o]! * W2.data[j * 3 + o]!, 0) : 0));
  return [0, 1, 2, 3].map((i) => gh.reduce((s, g, j) => s + g * W1.data[i * 5 + j]!, 0));
}

/** The network with input `x` declared `[batch, 4]` (`declared`) and the batch of 1 baked into two Reshapes. */
function model(declared: number | string, extra?: ReturnType<typeof makeNode>): Uint8Array {
  const graph = makeGraph(
    [
      makeNode('Reshape', ['x', 'grid'], ['g']),
      makeNode('Reshape', ['g', 'flat'], ['f']),
      makeNode('MatMul', ['f', 'W1'], ['xw']),
      makeNode('Add', ['xw', 'b1'], ['h']),
      makeNode('Relu', ['h'], ['r']),
      ...(extra ? [makeNode('MatMul', ['r', 'W2'], ['z']), extra] : [makeNode('MatMul', ['r', 'W2'], ['y'])]),
    ],
    'fixed',
    [makeTensorValueInfo('x', DataType.FLOAT, [declared, 4])],
    [makeTensorValueInfo('y', DataType.FLOAT, [declared, 3])],
    [
      tensorToProto('grid', tensor('int64', [3], BigInt64Array.of(1n, 2n, 2n))),
      tensorToProto('flat', tensor('int64', [2], BigInt64Array.of(1n, 4n))),
      tensorToProto('W1', W1),
      tensorToProto('b1', b1),
      tensorToProto('W2', W2),
    ],
  );
  return encodeModel(makeModel(graph, { '': 17 }, 8));
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fixed-batch-'));
});

describe('a model exported with a fixed batch of 1', () => {
  for (const [label, declared] of [['declared [1, 4]', 1], ['declared [batch, 4] but batch 1 baked in', 'batch']] as const) {
    it(`${label}: B × K vjp equals hand-written backprop, one row and one image per call`, async () => {
      const file = join(dir, `${label.replace(/\W+/g, '-')}.onnx`);
      writeFileSync(file, model(declared));
      const m = await DifferentiableOnnxModel.load(file, { cacheDir: join(dir, 'cache') });
      const x = randomTensor('float32', [3, 4], 41);
      const cot = randomTensor('float32', [5, 3], 42);
      const { gradient, output } = await m.vjp({ x }, 'y', 'x', cot);
      expect(gradient.shape).toEqual([3, 5, 4]);
      expect(output.shape).toEqual([3, 3]);
      const expected = [0, 1, 2].flatMap((b) => [0, 1, 2, 3, 4].flatMap((k) => handVjp(x.data.subarray(4 * b, 4 * b + 4), cot.data.subarray(3 * k, 3 * k + 3))));
      expect(maxRelativeError(gradient, expected)).toBeLessThan(1e-6);
      expect(m.lastStats?.rowsPerCall).toBe(1);
      expect(m.lastStats?.calls).toBe(15);
      expect(await m.batchLimit({ x }, 'y', 'x', 5)).toBe(1);
      await m.dispose();
    });
  }

  it('runs forward a batch item by item when the input is declared with batch 1', async () => {
    const file = join(dir, 'forward.onnx');
    writeFileSync(file, model(1));
    const m = await OnnxModel.load(file);
    expect(m.fixedBatch).toBe(true);
    const x = randomTensor('float32', [3, 4], 43);
    const all = (await m.run({ x })).y!;
    expect(all.shape).toEqual([3, 3]);
    for (let b = 0; b < 3; b++) {
      const one = (await m.run({ x: tensor('float32', [1, 4], x.data.slice(4 * b, 4 * b + 4)) })).y!;
      expect(Array.from(all.data.subarray(3 * b, 3 * b + 3))).toEqual(Array.from(one.data));
    }
    await m.dispose();
  });

  it('still names an op without a gradient rule', async () => {
    const file = join(dir, 'hardmax.onnx');
    writeFileSync(file, model(1, makeNode('Hardmax', ['z'], ['y'], {}, 'my_hardmax')));
    const m = await DifferentiableOnnxModel.load(file, { cacheDir: null });
    await expect(m.vjp({ x: randomTensor('float32', [2, 4], 44) }, 'y', 'x', randomTensor('float32', [1, 3], 45))).rejects.toMatchObject({
      code: 'E_ONNX',
      message: "no gradient rule for op Hardmax (node 'my_hardmax'); perturbation methods (occlusion) still work",
    });
    await m.dispose();
  });
});

describe('integers computed from the data are not taken as constants', () => {
  it('a third probe on other data tells them apart', async () => {
    // k = ArgMax over the batch axis: the same at batch 1 and 2 (the probes repeat one image), but it follows the data.
    const graph = makeGraph(
      [makeNode('ArgMax', ['x'], ['k'], { axis: 0n, keepdims: 0n }), makeNode('Shape', ['x'], ['s'])],
      'argmax',
      [makeTensorValueInfo('x', DataType.FLOAT, ['batch', 4])],
      [makeTensorValueInfo('k', DataType.INT64, [4]), makeTensorValueInfo('s', DataType.INT64, [2])],
    );
    const proto = (await import('../onnx/codec.js')).decodeModel(encodeModel(makeModel(graph, { '': 17 }, 8)), 'argmax');
    const x = tensor('float32', [1, 4], Float32Array.of(1, -2, 3, -4));
    const { facts, batchable } = await probeValues(proto, { x }, ['k', 's']);
    expect(batchable).toBe(true);
    const layout = new BatchLayout(facts);
    expect(layout.ints('s', 3)).toEqual([3, 4]); // from the shape: affine in the batch
    expect(facts.get('k')!.ints1).toEqual([0, 0, 0, 0]);
    // on other data (0.5·x + 0.25·sin) the ArgMax of one row is still 0: equal, so still constant …
    expect(layout.ints('k', 1)).toEqual([0, 0, 0, 0]);
    // … while a value whose other-data contents differ is not
    const moved = new BatchLayout(new Map([['k', { ...facts.get('k')!, intsOther: [1, 0, 0, 0] }]]));
    expect(moved.ints('k', 1)).toBeUndefined();
  });
});
