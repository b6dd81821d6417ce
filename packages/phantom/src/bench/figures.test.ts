import { describe, it, expect } from 'vitest';
import sharp from 'sharp';
import { tensor } from '@envision/core';
import { renderBenchFigure } from './figures.js';

describe('renderBenchFigure', () => {
  it('draws one row per method: the finding, then the baseline and proposed maps of its class', async () => {
    const size = 8;
    const mask = new Uint8Array(64);
    mask[9] = 1;
    const maps = tensor('float32', [2, size, size], Float32Array.from({ length: 128 }, (_, i) => i % 7));
    const example = {
      phantom: { seed: 3, size, image: new Uint8Array(64).fill(100), bodyMask: new Uint8Array(64).fill(1), findings: [{ class: 'B', mask, box: { x0: 1, y0: 1, x1: 2, y1: 2 } }] },
      maps: { ig: { baseline: maps, proposed: maps }, occlusion: { baseline: maps, proposed: maps } },
    };
    const png = await renderBenchFigure(example, ['A', 'B'], 32);
    const meta = await sharp(png).metadata();
    expect(meta.format).toBe('png');
    // Three columns and two rows of 32 px cells plus labels.
    expect(meta.width!).toBeGreaterThan(3 * 32);
    expect(meta.height!).toBeGreaterThan(2 * 32);
    expect(meta.height!).toBeLessThan(3 * 32 + 40);
  });
});
