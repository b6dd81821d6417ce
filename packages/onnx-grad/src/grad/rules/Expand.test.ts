import { describe, expect, it } from 'vitest';
import { tensor } from '../../tensor.js';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { Expand } from './Expand.js';

const ints = (values: number[], shape = [values.length]) => tensor('int64', shape, BigInt64Array.from(values, BigInt));

describe('Expand gradient', () => {
  it('sums the cotangent over the broadcast axes', async () => {
    const x = randomTensor('float64', [2, 1, 4], 1);
    expect((await checkGradient({ op: 'Expand', inputs: [x, ints([3, 1])], wrt: 0, rules: [Expand] })).relativeError).toBeLessThan(1e-7);
    const x1 = randomTensor('float64', [1, 3, 1, 1], 2);
    expect((await checkGradient({ op: 'Expand', inputs: [x1, ints([1, 1, 2, 5])], wrt: 0, rows: 3, rules: [Expand] })).relativeError).toBeLessThan(1e-7);
  });
});
