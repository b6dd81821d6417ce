import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeGraph, makeModel, makeNode, makeTensorValueInfo } from '../onnx/build.js';
import { encodeModel } from '../onnx/codec.js';
import { DataType, tensorToProto } from '../onnx/tensor-proto.js';
import { maxRelativeError } from '../tensor.js';
import { randomTensor } from './check-gradient.js';
import { closeNames } from './cut.js';
import { DifferentiableOnnxModel } from './differentiable-onnx-model.js';

// y = relu(x·W1 + b1)·W2 + x·W3: a skip connection around the layer, so the cut must keep x as an input.
const W1 = randomTensor('float32', [4, 5], 51);
const b1 = randomTensor('float32', [5], 52);
const W2 = randomTensor('float32', [5, 3], 53);
const W3 = randomTensor('float32', [4, 3], 54);

let file: string;
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'cut-'));
  file = join(dir, 'skip.onnx');
  const graph = makeGraph(
    [
      makeNode('MatMul', ['x', 'W1'], ['xw']),
      makeNode('Add', ['xw', 'b1'], ['h']),
      makeNode('Relu', ['h'], ['r']),
      makeNode('MatMul', ['r', 'W2'], ['main']),
      makeNode('MatMul', ['x', 'W3'], ['skip']),
      makeNode('Add', ['main', 'skip'], ['y']),
    ],
    'skip',
    [makeTensorValueInfo('x', DataType.FLOAT, ['batch', 4])],
    [makeTensorValueInfo('y', DataType.FLOAT, ['batch', 3])],
    [tensorToProto('W1', W1), tensorToProto('b1', b1), tensorToProto('W2', W2), tensorToProto('W3', W3)],
  );
  writeFileSync(file, encodeModel(makeModel(graph, { '': 17 }, 8)));
});

describe('gradients with respect to an intermediate tensor', () => {
  it('∂(c·y)/∂h = 1[h > 0] ⊙ (W2 c), hand-computed, with x held fixed on the skip path', async () => {
    const m = await DifferentiableOnnxModel.load(file, { cacheDir: null });
    const x = randomTensor('float32', [2, 4], 55);
    const cot = randomTensor('float32', [3, 3], 56);
    const h = await m.activation({ x }, 'h');
    expect(h.shape).toEqual([2, 5]);
    const { gradient } = await m.vjp({ x }, 'y', 'h', cot);
    expect(gradient.shape).toEqual([2, 3, 5]);
    const expected: number[] = [];
    for (let b = 0; b < 2; b++)
      for (let k = 0; k < 3; k++)
        for (let j = 0; j < 5; j++) {
          const w2c = [0, 1, 2].reduce((s, o) => s + W2.data[j * 3 + o]! * cot.data[k * 3 + o]!, 0);
          expected.push(h.data[b * 5 + j]! > 0 ? w2c : 0);
        }
    expect(maxRelativeError(gradient, expected)).toBeLessThan(1e-6);
    const { model, activation } = await m.layer!({ x }, 'r');
    expect(model.inputs.map((i) => i.name).sort()).toEqual(['r', 'x']);
    expect(activation.shape).toEqual([2, 5]);
    await m.dispose();
  });

  it('a name the model does not compute is one line with close names', async () => {
    const m = await DifferentiableOnnxModel.load(file, { cacheDir: null });
    const error = await m.vjp({ x: randomTensor('float32', [1, 4], 57) }, 'y', 'relu', randomTensor('float32', [1, 3], 58)).catch((e: { code: string; message: string }) => e);
    expect((error as { code: string }).code).toBe('E_INPUT');
    // 'r' is contained in the query; the rest (no common prefix) follow by closeness in length
    expect((error as { message: string }).message).toBe(`${file}: no intermediate value 'relu'; close names: r, main, skip, xw, h`);
    await m.dispose();
  });

  it('closeNames ranks containment, then the common prefix', () => {
    expect(closeNames('layer4', ['/layer4/relu_2/Relu_output_0', '/layer3/add', 'layer', 'x'])).toEqual(['/layer4/relu_2/Relu_output_0', 'layer', '/layer3/add', 'x']);
  });
});
