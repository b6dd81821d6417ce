import { SeededRandom } from '@envision/core';

/**
 * RISE's random draws for one image size: N binary s×s grids and N random shifts, from which every mask is rebuilt
 * on demand ({@link riseMask}), so that N masks of a large image never sit in memory at once.
 */
export interface RiseDraws {
  /** Number of masks N. */
  readonly masks: number;
  /** Cells per side of the low-resolution grid, s. */
  readonly cells: number;
  /** Keep-probability p of a cell. */
  readonly probability: number;
  /** Image height H and width W the masks cover. */
  readonly height: number;
  readonly width: number;
  /** Cell size in pixels, ⌈H/s⌉ and ⌈W/s⌉ (the authors' `cell_size`). */
  readonly cellHeight: number;
  readonly cellWidth: number;
  /** `[N, s, s]` row-major: 1 where the cell is kept (u < p), 0 where it is dropped. */
  readonly grids: Uint8Array;
  /** `[N, 2]`: the crop offset of mask n along the rows, then along the columns, each in [0, cell size). */
  readonly shifts: Int32Array;
}

/**
 * Draws RISE's grids and shifts in the authors' order (`generate_masks` of github.com/eclique/RISE): first all N·s·s
 * uniforms of the grids (a cell is kept when u < p, as `np.random.rand(N, s, s) < p1`), then for each mask a row
 * shift and a column shift, uniform integers in [0, ⌈H/s⌉) and [0, ⌈W/s⌉). The generator is core's
 * {@link SeededRandom}: the same seed gives the same masks on every machine.
 *
 * @param masks - N
 * @param cells - s
 * @param probability - p, in (0, 1]
 * @param height - H of the image
 * @param width - W of the image
 * @param seed - seed of the draws
 */
export function drawRiseMasks(masks: number, cells: number, probability: number, height: number, width: number, seed: number): RiseDraws {
  const random = new SeededRandom(seed);
  const grids = new Uint8Array(masks * cells * cells);
  for (let i = 0; i < grids.length; i++) grids[i] = random.uniform() < probability ? 1 : 0;
  const cellHeight = Math.ceil(height / cells);
  const cellWidth = Math.ceil(width / cells);
  const shifts = new Int32Array(masks * 2);
  for (let n = 0; n < masks; n++) {
    shifts[2 * n] = random.integer(cellHeight);
    shifts[2 * n + 1] = random.integer(cellWidth);
  }
  return { masks, cells, probability, height, width, cellHeight, cellWidth, grids, shifts };
}

/** Linear-interpolation taps along one axis: output pixel o reads `w0[o]·g[lo[o]] + w1[o]·g[hi[o]]`. */
export interface AxisTaps {
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  readonly w0: Float64Array;
  readonly w1: Float64Array;
}

/**
 * The taps of one axis of the authors' upsampling, `skimage.transform.resize(grid, (s+1)·cell, order=1,
 * mode='reflect', anti_aliasing=False)`, cropped at `shift`. That call is `scipy.ndimage.zoom(order=1, mode='mirror',
 * grid_mode=True)`, reproduced here operation for operation: output pixel k of the (s+1)·cell row samples the grid at
 * c = (k + ½)·(s / ((s+1)·cell)) − ½ (half-pixel centres); c < 0 is mirrored to −c; a tap beyond the last cell
 * reads the cell before it (mirror about the last sample); the weights are w0 = 1 − (c − ⌊c⌋) and w1 = 1 − w0.
 *
 * @param cells - s, the grid's size along the axis
 * @param cell - the cell size in pixels along the axis
 * @param shift - the crop offset
 * @param size - the image size along the axis
 */
export function axisTaps(cells: number, cell: number, shift: number, size: number): AxisTaps {
  const zoom = cells / ((cells + 1) * cell);
  const lo = new Int32Array(size);
  const hi = new Int32Array(size);
  const w0 = new Float64Array(size);
  const w1 = new Float64Array(size);
  for (let o = 0; o < size; o++) {
    let c = (shift + o + 0.5) * zoom - 0.5;
    if (cells <= 1) c = 0;
    else if (c < 0) c = -c;
    else if (c >= cells) c = 2 * cells - 2 - c; // never reached for these zooms (c < s − ½); kept for scipy's rule
    const start = Math.floor(c);
    lo[o] = start;
    hi[o] = cells <= 1 ? 0 : start + 1 >= cells ? 2 * cells - 2 - (start + 1) : start + 1;
    w0[o] = 1 - (c - start);
    w1[o] = 1 - w0[o]!;
  }
  return { lo, hi, w0, w1 };
}

/**
 * Mask n, `[H, W]` row-major, rounded to float32 as the authors' masks are (skimage resizes their float32 grid to a
 * float32 array): M(h, w) = Σ of g[a, b]·wy·wx over the four taps, summed in scipy's order.
 *
 * @param draws - the draws
 * @param n - which mask
 * @param out - where to write it (length H·W); a new array when absent
 */
export function riseMask(draws: RiseDraws, n: number, out = new Float32Array(draws.height * draws.width)): Float32Array {
  const { cells, height, width } = draws;
  const grid = draws.grids.subarray(n * cells * cells, (n + 1) * cells * cells);
  const rows = axisTaps(cells, draws.cellHeight, draws.shifts[2 * n]!, height);
  const cols = axisTaps(cells, draws.cellWidth, draws.shifts[2 * n + 1]!, width);
  for (let h = 0; h < height; h++) {
    const ra = rows.lo[h]! * cells;
    const rb = rows.hi[h]! * cells;
    const ya = rows.w0[h]!;
    const yb = rows.w1[h]!;
    for (let w = 0; w < width; w++) {
      const ca = cols.lo[w]!;
      const cb = cols.hi[w]!;
      const xa = cols.w0[w]!;
      const xb = cols.w1[w]!;
      let t = 0;
      t += grid[ra + ca]! * ya * xa;
      t += grid[ra + cb]! * ya * xb;
      t += grid[rb + ca]! * yb * xa;
      t += grid[rb + cb]! * yb * xb;
      out[h * width + w] = t;
    }
  }
  return out;
}
