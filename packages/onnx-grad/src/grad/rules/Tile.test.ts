import { describe, expect, it } from 'vitest';
import { tensor } from '../../tensor.js';
import { checkGradient, randomTensor } from '../check-gradient.js';
import type { GradientRule } from '../rule.js';
import { Tile } from './Tile.js';

const ints = (values: number[], shape = [values.length]) => tensor('int64', shape, BigInt64Array.from(values, BigInt));

describe('Tile gradient', () => {
  it('sums the cotangents of every copy', async () => {
    const x = randomTensor('float64', [2, 2, 3], 1);
    expect((await checkGradient({ op: 'Tile', inputs: [x, ints([1, 3, 2])], wrt: 0, rules: [Tile] })).relativeError).toBeLessThan(1e-7);
    const x1 = randomTensor('float64', [1, 3, 2, 1], 2);
    expect((await checkGradient({ op: 'Tile', inputs: [x1, ints([1, 1, 2, 4])], wrt: 0, rows: 3, rules: [Tile] })).relativeError).toBeLessThan(1e-7);
  });

  it('gives zeros when a repeat is 0', async () => {
    // B = 1: at B > 1 the builder's seed Reshape reads the 0 of an empty output's shape as "copy this dimension".
    const r = await checkGradient({ op: 'Tile', inputs: [randomTensor('float64', [1, 2, 3], 3), ints([1, 0, 2])], wrt: 0, rules: [Tile] });
    expect(r.analytic.every((v) => v === 0)).toBe(true);
  });

  it('fails loudly when the repeats are not a compile-time constant', async () => {
    const rule: GradientRule = { opType: 'Tile', backward: (ctx) => Tile.backward({ ...ctx, constInts: () => undefined }) };
    await expect(checkGradient({ op: 'Tile', inputs: [randomTensor('float64', [1, 2], 4), ints([1, 2])], wrt: 0, rules: [rule] })).rejects.toThrow(/repeats \(input 1\) must be a compile-time constant/);
  });
});
