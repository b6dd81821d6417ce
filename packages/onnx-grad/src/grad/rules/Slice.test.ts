import { describe, expect, it } from 'vitest';
import { tensor } from '../../tensor.js';
import { checkGradient, randomTensor } from '../check-gradient.js';
import type { GradientRule } from '../rule.js';
import { Slice } from './Slice.js';

const ints = (values: number[], shape = [values.length]) => tensor('int64', shape, BigInt64Array.from(values, BigInt));
const check = (x: ReturnType<typeof randomTensor>, starts: number[], ends: number[], axes?: number[], steps?: number[], rows = 2) =>
  checkGradient({ op: 'Slice', inputs: [x, ints(starts), ints(ends), axes ? ints(axes) : null, steps ? ints(steps) : null].slice(0, steps ? 5 : axes ? 4 : 3), wrt: 0, rows, rules: [Slice] });

describe('Slice gradient', () => {
  it('pads the cotangent back for unit steps, negative starts and ends beyond the size', async () => {
    const x = randomTensor('float64', [2, 5, 6], 1);
    expect((await check(x, [-4, 1], [100, -2], [1, 2])).relativeError).toBeLessThan(1e-7);
    const x1 = randomTensor('float64', [1, 4, 3], 2);
    expect((await check(x1, [0, -100], [1000, 2], undefined, undefined, 3)).relativeError).toBeLessThan(1e-7);
  });

  it('scatters the cotangent back for steps 2, 3, −1 and −2', async () => {
    const x = randomTensor('float64', [2, 5, 7], 3);
    expect((await check(x, [1, -1], [5, -100], [1, 2], [2, -1])).relativeError).toBeLessThan(1e-7);
    expect((await check(x, [-1, 0], [0, 100], [-2, -1], [-2, 3], 3)).relativeError).toBeLessThan(1e-7);
    expect((await check(x, [4, 6], [-100, 1], [1, 2], [-3, -2])).relativeError).toBeLessThan(1e-7);
  });

  it('gives zeros to an empty slice', async () => {
    // B = 1: at B > 1 the builder's seed Reshape reads the 0 of an empty output's shape as "copy this dimension".
    const x = randomTensor('float64', [1, 4, 3], 4);
    const r = await check(x, [3], [1], [1]);
    expect(r.analytic.every((v) => v === 0)).toBe(true);
  });

  it('fails loudly when starts are not a compile-time constant', async () => {
    const rule: GradientRule = { opType: 'Slice', backward: (ctx) => Slice.backward({ ...ctx, constInts: (i) => (i === 1 ? undefined : ctx.constInts(i)) }) };
    const x = randomTensor('float64', [1, 4, 3], 5);
    await expect(checkGradient({ op: 'Slice', inputs: [x, ints([1]), ints([3]), ints([1])], wrt: 0, rules: [rule] })).rejects.toThrow(/starts \(input 1\) must be a compile-time constant/);
  });
});
