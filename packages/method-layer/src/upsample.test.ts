import { describe, expect, it } from 'vitest';
import { upsample } from './upsample.js';

describe("upsample (PyTorch's F.interpolate, hand-computed)", () => {
  it('nearest 2×2 → 4×4 repeats each value in a 2×2 block', () => {
    expect(Array.from(upsample([1, 2, 3, 4], 1, 2, 2, 4, 4, 'nearest'))).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });
  it('bilinear (align_corners = False) 1×2 → 1×4: clamped at the edges, ¼ and ¾ between', () => {
    // sources: max(0, (o + ½)·½ − ½) = 0, 0.25, 0.75, 1.25 → 0, 0.25, 0.75, 1 (clamped to the last pixel)
    expect(Array.from(upsample([0, 4], 1, 1, 2, 1, 4, 'bilinear'))).toEqual([0, 1, 3, 4]);
  });
  it('bilinear downscaling 4 → 2 reads at 0.5 and 2.5', () => {
    expect(Array.from(upsample([0, 1, 2, 3], 1, 1, 4, 1, 2, 'bilinear'))).toEqual([0.5, 2.5]);
  });
  it('keeps planes apart', () => {
    expect(Array.from(upsample([1, 2], 2, 1, 1, 1, 2, 'nearest'))).toEqual([1, 1, 2, 2]);
  });
});
