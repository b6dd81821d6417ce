import { describe, expect, it } from 'vitest';
import { makeNode } from '../../onnx/build.js';
import { DataType, tensorToProto } from '../../onnx/tensor-proto.js';
import type { TensorProto } from '../../onnx/types.js';
import { tensor } from '../../tensor.js';
import { checkModelGradient, randomTensor } from '../check-gradient.js';
import { Mul } from './Mul.js';
import { Where } from './Where.js';

/** A bool initializer. */
function boolTensor(name: string, shape: number[], values: readonly boolean[]): TensorProto {
  const proto = tensorToProto(name, tensor('int64', shape, new BigInt64Array(values.length)));
  return { ...proto, data_type: DataType.BOOL, raw_data: Uint8Array.from(values, Number) };
}

const condition = (shape: number[], seed: number) => Array.from(randomTensor('float64', shape, seed).data, (v) => v > 0);

describe('Where gradient', () => {
  it('matches finite differences for the true branch, the false one broadcast (B = 1, K = 3)', async () => {
    const nodes = [makeNode('Where', ['cond', 'x', 'other'], ['y'])];
    const constants = [boolTensor('cond', [3, 4], condition([3, 4], 1)), tensorToProto('other', randomTensor('float64', [4], 2))];
    expect((await checkModelGradient({ nodes, feeds: { x: randomTensor('float64', [1, 3, 4], 3) }, initializers: constants, rows: 3, rules: [Where] })).relativeError).toBeLessThan(1e-7);
  });

  it('matches finite differences for a broadcast false branch and a broadcast condition, with K × B batching (B = 2, K = 2)', async () => {
    const nodes = [makeNode('Where', ['cond', 'other', 'x'], ['y'])];
    const constants = [boolTensor('cond', [3, 1], [true, false, true]), tensorToProto('other', randomTensor('float64', [3, 4], 4))];
    expect((await checkModelGradient({ nodes, feeds: { x: randomTensor('float64', [2, 1, 4], 5) }, initializers: constants, rows: 2, rules: [Where] })).relativeError).toBeLessThan(1e-7);
  });

  it('matches finite differences when x feeds both branches (B = 2, K = 2)', async () => {
    const nodes = [makeNode('Mul', ['x', 'x'], ['x2']), makeNode('Where', ['cond', 'x', 'x2'], ['y'])];
    const constants = [boolTensor('cond', [2, 3], condition([2, 3], 6))];
    expect((await checkModelGradient({ nodes, feeds: { x: randomTensor('float64', [2, 2, 3], 7) }, initializers: constants, rows: 2, rules: [Where, Mul] })).relativeError).toBeLessThan(1e-6);
  });
});
