import { describe, expect, it } from 'vitest';
import { tensor } from '../../tensor.js';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { Squeeze } from './Squeeze.js';

const ints = (values: number[], shape = [values.length]) => tensor('int64', shape, BigInt64Array.from(values, BigInt));

describe('Squeeze gradient', () => {
  it('matches finite differences', async () => {
    const x = randomTensor('float64', [2, 1, 3, 1], 1);
    expect((await checkGradient({ op: 'Squeeze', inputs: [x, ints([1, -1])], wrt: 0, rules: [Squeeze] })).relativeError).toBeLessThan(1e-7);
    const x1 = randomTensor('float64', [1, 4, 1, 2], 2);
    expect((await checkGradient({ op: 'Squeeze', inputs: [x1, ints([2])], wrt: 0, rows: 3, opset: 13, rules: [Squeeze] })).relativeError).toBeLessThan(1e-7);
  });
});
