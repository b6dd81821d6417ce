import { describe, expect, it } from 'vitest';
import { makeNode } from '../../onnx/build.js';
import { checkModelGradient, randomTensor } from '../check-gradient.js';
import { Concat } from './Concat.js';
import { Mul } from './Mul.js';

describe('Concat gradient', () => {
  it('slices out the cotangent of the one input that needs it', async () => {
    const feeds = { x: randomTensor('float64', [2, 2, 4], 1), u: randomTensor('float64', [2, 3, 4], 2) };
    expect((await checkModelGradient({ nodes: [makeNode('Concat', ['u', 'x', 'u'], ['y'], { axis: 1n })], feeds, rules: [Concat] })).relativeError).toBeLessThan(1e-7);
  });

  it('splits the cotangent between several inputs that need it', async () => {
    const feeds = { x: randomTensor('float64', [1, 3, 2], 3), u: randomTensor('float64', [1, 3, 4], 4) };
    const nodes = [makeNode('Mul', ['x', 'x'], ['xx']), makeNode('Concat', ['x', 'u', 'xx', 'x'], ['y'], { axis: -1n })];
    expect((await checkModelGradient({ nodes, feeds, rows: 3, rules: [Concat, Mul] })).relativeError).toBeLessThan(1e-7);
    const batched = { x: randomTensor('float64', [2, 3, 2], 5) };
    expect((await checkModelGradient({ nodes: [makeNode('Concat', ['x', 'x'], ['y'], { axis: 1n })], feeds: batched, opset: 13, rules: [Concat] })).relativeError).toBeLessThan(1e-7);
  });
});
