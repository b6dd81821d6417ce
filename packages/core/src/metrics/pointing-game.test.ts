import { describe, it, expect } from 'vitest';
import { caught } from '../expect-error.test-support.js';
import { pointingGame } from './pointing-game.js';

/** A 4×4 map of zeros with the given values at (x, y). */
function peaks(...points: [x: number, y: number, v: number][]): { data: Float32Array; width: number; height: number } {
  const data = new Float32Array(16);
  for (const [x, y, v] of points) data[y * 4 + x] = v;
  return { data, width: 4, height: 4 };
}

// bottom-left 2×2 block: columns 0–1, rows 2–3
const BOX = { x0: 0, y0: 2, x1: 2, y1: 4 };

describe('pointingGame', () => {
  it('hits when the maximum is inside the region, even with tolerance 0', () => {
    expect(pointingGame(peaks([1, 3, 1]), { box: BOX }, { tolerance: 0 })).toEqual({ hit: true, x: 1, y: 3 });
  });

  it('misses when the maximum is outside and farther than the tolerance', () => {
    // peak (3, 0); nearest box pixel (1, 2) at √8 ≈ 2.83
    expect(pointingGame(peaks([3, 0, 1]), { box: BOX }, { tolerance: 0 })).toEqual({ hit: false, x: 3, y: 0 });
    expect(pointingGame(peaks([3, 0, 1]), { box: BOX }, { tolerance: 2.8 }).hit).toBe(false);
    expect(pointingGame(peaks([3, 0, 1]), { box: BOX }, { tolerance: 2.9 }).hit).toBe(true);
  });

  it('needs the distance strictly below the tolerance (TorchRay), at the edge', () => {
    // peak (3, 2); nearest box pixel (1, 2) at distance exactly 2
    const map = peaks([3, 2, 1]);
    expect(pointingGame(map, { box: BOX }, { tolerance: 1 }).hit).toBe(false);
    expect(pointingGame(map, { box: BOX }, { tolerance: 2 }).hit).toBe(false);
    expect(pointingGame(map, { box: BOX }, { tolerance: 2.01 }).hit).toBe(true);
    // peak (2, 2): distance 1
    expect(pointingGame(peaks([2, 2, 1]), { box: BOX }, { tolerance: 1 }).hit).toBe(false);
    expect(pointingGame(peaks([2, 2, 1]), { box: BOX }, { tolerance: 1.5 }).hit).toBe(true);
  });

  it('uses a 15-pixel tolerance by default', () => {
    // (3, 0) is √8 from the box: a hit at 15 px
    expect(pointingGame(peaks([3, 0, 1]), { box: BOX }).hit).toBe(true);
    // 40×1 strip, peak at x = 39, region x = 0 … x1 − 1 at distance 40 − x1: x1 = 24 → 16 and x1 = 25 → 15 miss, x1 = 26 → 14 hits
    const strip = (x1: number): boolean => {
      const data = new Float32Array(40);
      data[39] = 1;
      return pointingGame({ data, width: 40, height: 1 }, { box: { x0: 0, y0: 0, x1, y1: 1 } }).hit;
    };
    expect([strip(24), strip(25), strip(26)]).toEqual([false, false, true]);
  });

  it('takes the first maximum in row-major order on ties', () => {
    const map = peaks([2, 3, 5], [1, 0, 5]);
    expect(pointingGame(map, { box: BOX }, { tolerance: 0 })).toEqual({ hit: false, x: 1, y: 0 });
    expect(pointingGame(map, { box: { x0: 1, y0: 0, x1: 2, y1: 1 } }, { tolerance: 0 }).hit).toBe(true);
  });

  it('takes the region from a mask', () => {
    const mask = new Uint8Array(16);
    mask[3 * 4 + 3] = 1; // only (3, 3)
    expect(pointingGame(peaks([3, 3, 1]), { mask }, { tolerance: 0 }).hit).toBe(true);
    expect(pointingGame(peaks([3, 1, 1]), { mask }, { tolerance: 2 }).hit).toBe(false);
    expect(pointingGame(peaks([3, 2, 1]), { mask }, { tolerance: 2 }).hit).toBe(true);
  });

  it('maximises |m| with use absolute, and never picks NaN', () => {
    const map = peaks([0, 0, -5], [3, 3, 3]);
    expect(pointingGame(map, { box: BOX })).toMatchObject({ x: 3, y: 3 });
    expect(pointingGame(map, { box: BOX }, { use: 'absolute' })).toMatchObject({ x: 0, y: 0 });
    const withNaN = peaks([1, 1, 2]);
    withNaN.data[0] = NaN;
    expect(pointingGame(withNaN, { box: BOX })).toMatchObject({ x: 1, y: 1 });
    expect(caught(() => pointingGame({ data: new Float32Array(16).fill(NaN), width: 4, height: 4 }, { box: BOX })).code).toBe('E_INPUT');
  });

  it('misses an empty region', () => {
    expect(pointingGame(peaks([1, 1, 1]), { box: { x0: 1, y0: 1, x1: 1, y1: 1 } }).hit).toBe(false);
  });

  it('rejects a mask of another size naming both sizes, and a bad tolerance', () => {
    const e = caught(() => pointingGame(peaks([1, 1, 1]), { mask: new Uint8Array(15) }));
    expect(e.code).toBe('E_INPUT');
    expect(e.message).toContain('15 values');
    expect(e.message).toContain('4×4');
    expect(caught(() => pointingGame(peaks([1, 1, 1]), { box: BOX }, { tolerance: -1 })).code).toBe('E_CONFIG');
  });
});
