import { describe, it, expect } from 'vitest';
import { rejected } from '../expect-error.test-support.js';
import { IMAGE, MAP, sum } from './toy-causal.test-support.js';
import { causalCurve, pixelOrder, trapezoid } from './causal.js';

describe('pixelOrder', () => {
  it('sorts by decreasing value, ties in row-major order, NaN last', () => {
    expect(Array.from(pixelOrder(Float32Array.from([0.1, 0.4, 0.3, 0.2])))).toEqual([1, 2, 3, 0]);
    expect(Array.from(pixelOrder(Float32Array.from([NaN, 1, 3, 1, -Infinity])))).toEqual([2, 1, 3, 4, 0]);
  });
});

describe('trapezoid', () => {
  it('integrates piecewise-linear curves', () => {
    expect(trapezoid([0, 0.5, 1], [0, 1, 0])).toBe(0.5);
    expect(trapezoid([0, 0.25, 1], [2, 2, 0])).toBe(0.5 + 0.75);
    expect(trapezoid([0], [3])).toBe(0);
  });
});

describe('causalCurve', () => {
  it('batches the steps + 1 images into calls of batchSize', async () => {
    const calls: number[] = [];
    const score = (images: Float32Array[]): Promise<number[]> => {
      calls.push(images.length);
      return sum(images);
    };
    await causalCurve('t', MAP, IMAGE, 0, true, score, { steps: 4, batchSize: 2 });
    expect(calls).toEqual([2, 2, 1]);
    calls.length = 0;
    const r = await causalCurve('t', MAP, IMAGE, 0, true, score, {});
    expect(calls).toEqual([16, 16, 16, 3]); // default 50 steps → 51 images, default batch 16
    expect(r.curve).toHaveLength(51);
  });

  it('rounds the pixel count of each step when steps does not divide H·W', async () => {
    // N = 4, steps 3: round(4/3) = 1, round(8/3) = 3 → fractions 0, .25, .75, 1; deletion scores 10, 8, 1, 0
    const r = await causalCurve('t', MAP, IMAGE, 0, true, sum, { steps: 3 });
    expect(r.fractions).toEqual([0, 0.25, 0.75, 1]);
    expect(r.curve).toEqual([10, 8, 1, 0]);
    // .25·(10+8)/2 + .5·(8+1)/2 + .25·(1+0)/2 = 2.25 + 2.25 + .125
    expect(r.auc).toBeCloseTo(4.625, 12);
  });

  it('hands the scorer separate copies and leaves the image alone', async () => {
    const seen: Float32Array[] = [];
    await causalCurve('t', MAP, IMAGE, 0, true, (images) => (seen.push(...images), sum(images)), { steps: 4, batchSize: 3 });
    expect(seen.map((im) => Array.from(im))).toEqual([
      [1, 2, 3, 4],
      [1, 0, 3, 4],
      [1, 0, 0, 4],
      [1, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
    expect(Array.from(IMAGE.data)).toEqual([1, 2, 3, 4]);
  });

  it('rejects a scorer returning the wrong number of scores or a non-finite one', async () => {
    const e = await rejected(causalCurve('t', MAP, IMAGE, 0, true, (ims) => Promise.resolve(ims.slice(1).map(() => 1)), { steps: 4 }));
    expect(e.code).toBe('E_INPUT');
    expect(e.message).toContain('4 scores for 5 images');
    expect((await rejected(causalCurve('t', MAP, IMAGE, 0, true, (ims) => Promise.resolve(ims.map(() => NaN)), { steps: 4 }))).code).toBe('E_INPUT');
  });

  it('rejects bad steps and batch sizes', async () => {
    expect((await rejected(causalCurve('t', MAP, IMAGE, 0, true, sum, { steps: 0 }))).code).toBe('E_CONFIG');
    expect((await rejected(causalCurve('t', MAP, IMAGE, 0, true, sum, { batchSize: 1.5 }))).code).toBe('E_CONFIG');
  });
});
