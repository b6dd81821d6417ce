import { describe, expect, it } from 'vitest';
import { tensor } from '@envision/core';
import { asGrid } from './grid.js';

describe('asGrid', () => {
  it('turns [B, N, C] tokens into [B, C, h, w], token n at row ⌊n / w⌋ (all tokens, or without the first)', () => {
    // 4 tokens × 2 channels: token n has channel values (n, 10 + n)
    const tokens = tensor('float32', [1, 4, 2], Float32Array.of(0, 10, 1, 11, 2, 12, 3, 13));
    expect(Array.from(asGrid(tokens, 'all', 'l').data)).toEqual([0, 1, 2, 3, 10, 11, 12, 13]);
    const withCls = tensor('float32', [1, 5, 2], Float32Array.of(99, 99, 0, 10, 1, 11, 2, 12, 3, 13));
    const g = asGrid(withCls, 'drop-first', 'l');
    expect(g.shape).toEqual([1, 2, 2, 2]);
    expect(Array.from(g.data)).toEqual([0, 1, 2, 3, 10, 11, 12, 13]);
  });
  it('names the layer when the shape does not fit', () => {
    expect(() => asGrid(tensor('float32', [1, 3, 2], new Float32Array(6)), 'all', 'blk')).toThrow("layer 'blk' has 3 patch tokens, not a square grid (tokens: all)");
    expect(() => asGrid(tensor('float32', [1, 3, 2], new Float32Array(6)), 'none', 'blk')).toThrow("layer 'blk' is [1, 3, 2]; a feature map [B, C, h, w] is needed");
  });
});
