import { describe, expect, it } from 'vitest';
import { makeNode } from '../../onnx/build.js';
import { DataType, tensorToProto } from '../../onnx/tensor-proto.js';
import type { TensorProto } from '../../onnx/types.js';
import { tensor } from '../../tensor.js';
import { checkGradient, checkModelGradient, randomTensor } from '../check-gradient.js';
import { Dropout } from './Dropout.js';

/** A bool scalar initializer. */
function boolScalar(name: string, value: boolean): TensorProto {
  return { ...tensorToProto(name, tensor('int64', [], new BigInt64Array(1))), data_type: DataType.BOOL, raw_data: Uint8Array.of(Number(value)) };
}

const ratio = (name: string, v: number) => tensorToProto(name, tensor('float64', [], Float64Array.of(v)));

const training = (r: number, on: boolean) => ({
  nodes: [makeNode('Dropout', ['x', 'ratio', 'training'], ['y', 'mask'])],
  constants: [ratio('ratio', r), boolScalar('training', on)],
});

describe('Dropout gradient', () => {
  it('is the identity at inference, with no optional inputs (B = 1, K = 3)', async () => {
    const x = randomTensor('float64', [1, 3, 4], 1);
    expect((await checkGradient({ op: 'Dropout', inputs: [x], wrt: 0, rows: 3, rules: [Dropout] })).relativeError).toBeLessThan(1e-7);
  });

  it('is the identity at inference with a ratio and the mask output, with K × B batching (B = 2, K = 2)', async () => {
    const x = randomTensor('float64', [2, 2, 5], 2);
    const r = tensor('float64', [], Float64Array.of(0.3));
    expect((await checkGradient({ op: 'Dropout', inputs: [x, r], wrt: 0, rows: 2, outputs: 2, of: 0, rules: [Dropout] })).relativeError).toBeLessThan(1e-7);
  });

  it('is the identity with training_mode false (B = 2, K = 2)', async () => {
    const { nodes, constants } = training(0.5, false);
    expect((await checkModelGradient({ nodes, feeds: { x: randomTensor('float64', [2, 3, 2], 3) }, initializers: constants, rows: 2, rules: [Dropout] })).relativeError).toBeLessThan(1e-7);
  });

  it("is the identity with training_mode true and ratio 0, as torchvision's Swin exports it (B = 2, K = 2)", async () => {
    const { nodes, constants } = training(0, true);
    expect((await checkModelGradient({ nodes, feeds: { x: randomTensor('float64', [2, 3, 2], 4) }, initializers: constants, rows: 2, rules: [Dropout] })).relativeError).toBeLessThan(1e-7);
  });

  it('refuses training_mode true with a nonzero ratio: the output is random', async () => {
    const { nodes, constants } = training(0.5, true);
    await expect(checkModelGradient({ nodes, feeds: { x: randomTensor('float64', [1, 3], 5) }, initializers: constants, rows: 2, rules: [Dropout] })).rejects.toThrow(/ratio 0.5: the output is random/);
  });

  it('refuses training_mode true with the default ratio, or a ratio it cannot read', async () => {
    const x = randomTensor('float64', [1, 3], 6);
    const defaultRatio = [makeNode('Dropout', ['x', '', 'training'], ['y'])];
    await expect(checkModelGradient({ nodes: defaultRatio, feeds: { x }, initializers: [boolScalar('training', true)], rows: 2, rules: [Dropout] })).rejects.toThrow(/default ratio 0.5/);
    // The ratio is computed by a node (not a constant), so no context can read it at build time.
    const computed = [makeNode('Identity', ['ratio0'], ['ratio']), makeNode('Dropout', ['x', 'ratio', 'training'], ['y'])];
    await expect(checkModelGradient({ nodes: computed, feeds: { x }, initializers: [ratio('ratio0', 0), boolScalar('training', true)], rows: 2, rules: [Dropout] })).rejects.toThrow(/not a constant the builder can read/);
  });
});
