import { describe, it, expect } from 'vitest';
import { axisTaps, drawRiseMasks, riseMask, type RiseDraws } from './masks.js';

/** Draws built by hand: one mask with the given grid and shifts. */
function handDraws(grid: number[], cells: number, height: number, width: number, shift: [number, number] = [0, 0]): RiseDraws {
  return {
    masks: 1,
    cells,
    probability: 0.5,
    height,
    width,
    cellHeight: Math.ceil(height / cells),
    cellWidth: Math.ceil(width / cells),
    grids: Uint8Array.from(grid),
    shifts: Int32Array.from(shift),
  };
}

describe('axisTaps: skimage resize(order=1, mode=reflect) = scipy zoom(mode=mirror, grid_mode=True)', () => {
  it('2 cells, 1-pixel cells: the 3-pixel row samples the grid at −1/6 (mirrored to 1/6), 1/2 and 7/6', () => {
    // up = (2 + 1)·1 = 3, zoom = 2/3, c = (k + ½)·2/3 − ½ = −1/6, 1/2, 7/6
    const t = axisTaps(2, 1, 0, 3);
    expect([...t.lo]).toEqual([0, 0, 1]);
    expect([...t.hi]).toEqual([1, 1, 0]); // the tap past the last cell reads the cell before it (mirror)
    expect(t.w0[0]).toBeCloseTo(5 / 6, 15);
    expect(t.w0[1]).toBeCloseTo(1 / 2, 15);
    expect(t.w0[2]).toBeCloseTo(5 / 6, 15); // 7/6 → start 1, w0 = 1 − 1/6 on cell 1, 1/6 on cell 0
    for (let o = 0; o < 3; o++) expect(t.w0[o]! + t.w1[o]!).toBe(1);
  });

  it('a shift crops the upsampled row further on: taps at shift + o', () => {
    const whole = axisTaps(8, 4, 0, 36);
    const shifted = axisTaps(8, 4, 3, 32);
    expect([...shifted.lo]).toEqual([...whole.lo.subarray(3, 35)]);
    expect([...shifted.w0]).toEqual([...whole.w0.subarray(3, 35)]);
  });

  it('one cell: every tap reads it', () => {
    const t = axisTaps(1, 5, 2, 5);
    expect([...t.lo, ...t.hi]).toEqual(new Array(10).fill(0));
  });
});

describe('riseMask', () => {
  it('a 2×2 grid with only cell (0,0) kept, on a 2×2 image: the products of the taps on cell 0, 5/6 and 1/2', () => {
    const m = riseMask(handDraws([1, 0, 0, 0], 2, 2, 2), 0);
    for (const [i, v] of [25 / 36, 5 / 12, 5 / 12, 1 / 4].entries()) expect(m[i]).toBeCloseTo(v, 7);
  });

  it('an all-kept grid gives exactly 1 everywhere; an all-dropped one exactly 0', () => {
    expect([...riseMask(handDraws(new Array(9).fill(1), 3, 7, 5, [2, 1]), 0)]).toEqual(new Array(35).fill(1));
    expect([...riseMask(handDraws(new Array(9).fill(0), 3, 7, 5, [2, 1]), 0)]).toEqual(new Array(35).fill(0));
  });

  it('lies in [0, 1] and has mean p per pixel over many masks (bilinear weights sum to 1, so E[M] = p)', () => {
    const d = drawRiseMasks(3000, 4, 0.3, 10, 13, 5);
    const mean = new Float64Array(130);
    let [lo, hi] = [Infinity, -Infinity];
    const m = new Float32Array(130);
    for (let n = 0; n < d.masks; n++) {
      riseMask(d, n, m);
      for (let i = 0; i < 130; i++) {
        lo = Math.min(lo, m[i]!);
        hi = Math.max(hi, m[i]!);
        mean[i]! += m[i]! / d.masks;
      }
    }
    expect([lo, hi]).toEqual([0, 1]);
    for (const v of mean) expect(Math.abs(v - 0.3)).toBeLessThan(0.04);
  });
});

describe('drawRiseMasks', () => {
  it('cell sizes are ⌈H/s⌉ and ⌈W/s⌉, shifts lie in [0, cell), grids are 0/1 with frequency p', () => {
    const d = drawRiseMasks(500, 5, 0.25, 32, 20, 1);
    expect([d.cellHeight, d.cellWidth]).toEqual([7, 4]);
    expect(d.grids.length).toBe(500 * 25);
    expect(d.shifts.length).toBe(1000);
    for (let n = 0; n < 500; n++) {
      expect(d.shifts[2 * n]).toBeLessThan(7);
      expect(d.shifts[2 * n + 1]).toBeLessThan(4);
    }
    const kept = d.grids.reduce((a, g) => a + g, 0) / d.grids.length;
    expect(kept).toBeGreaterThan(0.22);
    expect(kept).toBeLessThan(0.28);
  });

  it('the same seed gives the same draws; another seed others', () => {
    const a = drawRiseMasks(20, 8, 0.5, 32, 32, 7);
    const b = drawRiseMasks(20, 8, 0.5, 32, 32, 7);
    const c = drawRiseMasks(20, 8, 0.5, 32, 32, 8);
    expect(b.grids).toEqual(a.grids);
    expect(b.shifts).toEqual(a.shifts);
    expect(c.grids).not.toEqual(a.grids);
  });

  it('draws all grids first, then the shifts (the authors\' order): more masks extend the grids, the first ones unchanged', () => {
    const a = drawRiseMasks(3, 2, 0.5, 4, 4, 3);
    const b = drawRiseMasks(4, 2, 0.5, 4, 4, 3);
    expect([...b.grids.subarray(0, 12)]).toEqual([...a.grids]);
  });
});
