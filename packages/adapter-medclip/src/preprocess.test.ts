import { readNpy } from '@envision/core';
import { describe, expect, it } from 'vitest';
import { fixture, maxAbsDiff } from './test-fixtures.test-support.js';
import { centreCrop, normalise, padToSquare, preprocessImage, rescale } from './preprocess.js';

const MEAN = 0.5862785803043838;
const STD = 0.27950088968644304;

describe('preprocessImage against MedCLIPFeatureExtractor with PIL (size 32)', () => {
  for (const name of ['wide', 'tall', 'small', 'grey16']) {
    for (const resample of ['bicubic', 'bilinear'] as const) {
      it(`${name}, ${resample}`, async () => {
        const ref = await readNpy(fixture(`pipeline-${name}-${resample}.npy`));
        const out = await preprocessImage(fixture(`pipeline-${name}.png`), { size: 32, mean: MEAN, std: STD, resample, channels: 3 });
        expect(out.shape).toEqual([1, 3, 32, 32]);
        for (let c = 0; c < 3; c++) expect(maxAbsDiff(out.data.subarray(c * 1024, (c + 1) * 1024), ref.data as Float32Array)).toBe(0);
      });
    }
  }

  it('repeats to the requested channels', async () => {
    const out = await preprocessImage(fixture('pipeline-small.png'), { size: 32, mean: MEAN, std: STD, channels: 1 });
    expect(out.shape).toEqual([1, 1, 32, 32]);
  });
});

describe('steps', () => {
  it('padToSquare centres with floor offsets, on black', () => {
    // 3×1 into a side of 6: left = floor(3/2) = 1, top = floor(5/2) = 2
    const { data, side } = padToSquare(Uint8Array.from([7, 8, 9]), 3, 1, 6);
    expect(side).toBe(6);
    expect(Array.from(data.subarray(12, 18))).toEqual([0, 7, 8, 9, 0, 0]);
    expect(data.reduce((a, b) => a + b, 0)).toBe(24);
  });

  it('padToSquare uses the longest side when it exceeds the minimum', () => {
    const { side, data } = padToSquare(new Float32Array(10).fill(1), 5, 2, 3);
    expect(side).toBe(5);
    expect(Array.from(data.subarray(0, 5))).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(data.subarray(5, 15))).toEqual(new Array(10).fill(1));
  });

  it('centreCrop takes the middle window', () => {
    const img = Uint8Array.from({ length: 16 }, (_, i) => i);
    expect(Array.from(centreCrop(img, 4, 2))).toEqual([5, 6, 9, 10]);
    expect(centreCrop(img, 4, 4)).toBe(img);
  });

  it('rescale multiplies by float32(1/255) for bicubic and divides for bilinear', () => {
    const levels = Uint8Array.from({ length: 256 }, (_, i) => i);
    const mul = rescale(levels, 'bicubic');
    const div = rescale(levels, 'bilinear');
    expect(mul[255]).toBe(Math.fround(255 * Math.fround(1 / 255)));
    expect(div[255]).toBe(1);
    // they differ by at most one float32 ulp
    expect(maxAbsDiff(mul, div)).toBeLessThan(1e-7);
  });

  it('normalise maps black and white to MedCLIP’s extremes', () => {
    const t = normalise(Float32Array.from([0, 1, 1, 0]), 2, MEAN, STD, 2);
    expect(t.shape).toEqual([1, 2, 2, 2]);
    expect(t.data[0]).toBeCloseTo(-2.0976, 4);
    expect(t.data[1]).toBeCloseTo(1.4802, 4);
    expect(Array.from(t.data.subarray(4))).toEqual(Array.from(t.data.subarray(0, 4)));
  });
});
