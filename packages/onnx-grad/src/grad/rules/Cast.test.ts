import { describe, expect, it } from 'vitest';
import { makeNode } from '../../onnx/build.js';
import { DataType } from '../../onnx/tensor-proto.js';
import { checkGradient, checkModelGradient, randomTensor } from '../check-gradient.js';
import { Cast } from './Cast.js';
import { Mul } from './Mul.js';

const to = (type: number) => ({ to: BigInt(type) });

describe('Cast gradient', () => {
  it('matches finite differences for a float64 → float64 cast (B = 1, K = 3)', async () => {
    const x = randomTensor('float64', [1, 3, 4], 1);
    expect((await checkGradient({ op: 'Cast', inputs: [x], wrt: 0, rows: 3, attributes: to(DataType.DOUBLE), rules: [Cast] })).relativeError).toBeLessThan(1e-7);
  });

  // x → float32 → (squared) → float64: both directions of a float cast. The float32 step rounds x ± ε, hence ε = 1e-3
  // and a 2e-3 tolerance.
  for (const [b, rows] of [[1, 3], [2, 2]] as const) {
    it(`matches finite differences through float64 → float32 → float64 (B = ${b}, K = ${rows})`, async () => {
      const nodes = [makeNode('Cast', ['x'], ['f'], to(DataType.FLOAT)), makeNode('Mul', ['f', 'f'], ['f2']), makeNode('Cast', ['f2'], ['y'], to(DataType.DOUBLE))];
      const x = randomTensor('float64', [b, 2, 5], 2 + b);
      expect((await checkModelGradient({ nodes, feeds: { x }, rows, epsilon: 1e-3, rules: [Cast, Mul] })).relativeError).toBeLessThan(2e-3);
    });
  }

  it('passes no gradient through a cast to an integer type', async () => {
    const nodes = [makeNode('Cast', ['x'], ['i'], to(DataType.INT64)), makeNode('Cast', ['i'], ['y'], to(DataType.DOUBLE))];
    const { maxAbsError, analytic } = await checkModelGradient({ nodes, feeds: { x: randomTensor('float64', [2, 3], 4, 0.2, 2.8) }, rows: 2, rules: [Cast] });
    expect(maxAbsError).toBe(0);
    expect(analytic.every((v) => v === 0)).toBe(true);
  });
});
