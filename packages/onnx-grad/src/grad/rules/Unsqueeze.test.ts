import { describe, expect, it } from 'vitest';
import { tensor } from '../../tensor.js';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { Unsqueeze } from './Unsqueeze.js';

const ints = (values: number[], shape = [values.length]) => tensor('int64', shape, BigInt64Array.from(values, BigInt));

describe('Unsqueeze gradient', () => {
  it('matches finite differences', async () => {
    const x = randomTensor('float64', [2, 3, 4], 1);
    expect((await checkGradient({ op: 'Unsqueeze', inputs: [x, ints([1, -1])], wrt: 0, rules: [Unsqueeze] })).relativeError).toBeLessThan(1e-7);
    const x1 = randomTensor('float64', [1, 5], 2);
    expect((await checkGradient({ op: 'Unsqueeze', inputs: [x1, ints([2])], wrt: 0, rows: 3, opset: 13, rules: [Unsqueeze] })).relativeError).toBeLessThan(1e-7);
  });
});
