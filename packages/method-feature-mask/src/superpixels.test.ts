import { describe, it, expect } from 'vitest';
import { superpixels } from './superpixels.js';

/** Whether every segment is one 4-connected region. */
function connected(ids: Int32Array, height: number, width: number, count: number): boolean {
  const seen = new Uint8Array(ids.length);
  let regions = 0;
  for (let start = 0; start < ids.length; start++) {
    if (seen[start]) continue;
    regions++;
    const stack = [start];
    seen[start] = 1;
    while (stack.length) {
      const p = stack.pop()!;
      const y = Math.floor(p / width);
      const x = p % width;
      for (const [qy, qx] of [[y - 1, x], [y + 1, x], [y, x - 1], [y, x + 1]] as const) {
        const q = qy * width + qx;
        if (qy >= 0 && qy < height && qx >= 0 && qx < width && !seen[q] && ids[q] === ids[p]) {
          seen[q] = 1;
          stack.push(q);
        }
      }
    }
  }
  return regions === count;
}

describe('SLIC-like superpixels', () => {
  it('follow an intensity edge that is not on the grid (a diagonal), when the spatial weight is small', () => {
    const n = 16;
    const image = Float32Array.from({ length: n * n }, (_, i) => (i % n > Math.floor(i / n) + 2 ? 1 : 0));
    const mask = superpixels(image, 1, n, n, { segments: 2, compactness: 0.01, iterations: 10 });
    expect(mask.count).toBe(2);
    for (let i = 0; i < n * n; i++) expect(mask.ids[i]).toBe(image[i] === 1 ? 1 : 0);
  });

  it('cut a flat image into the seed grid (space alone), numbered in raster order', () => {
    const mask = superpixels(new Float32Array(3 * 8 * 8).fill(0.5), 3, 8, 8, { segments: 4, compactness: 0.1, iterations: 5 });
    expect(mask.count).toBe(4);
    expect(mask.ids[0]).toBe(0);
    expect(mask.ids[7]).toBe(1);
    expect(mask.ids[56]).toBe(2);
    expect(mask.ids[63]).toBe(3);
  });

  it('are deterministic, connected, numbered 0 … count − 1, and near the wanted count on a noisy image', () => {
    const h = 24;
    const w = 32;
    const image = Float32Array.from({ length: 3 * h * w }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
    const a = superpixels(image, 3, h, w, { segments: 12, compactness: 0.3, iterations: 10 });
    const b = superpixels(image, 3, h, w, { segments: 12, compactness: 0.3, iterations: 10 });
    expect(Array.from(a.ids)).toEqual(Array.from(b.ids));
    expect(new Set(a.ids).size).toBe(a.count);
    expect(Math.max(...a.ids)).toBe(a.count - 1);
    expect(connected(a.ids, h, w, a.count)).toBe(true);
    expect(a.count).toBeGreaterThanOrEqual(6);
    expect(a.count).toBeLessThanOrEqual(24);
  });
});
