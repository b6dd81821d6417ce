import type { SeededRandom } from '@envision/core';
import { distanceFrom } from './raster.js';
import type { PhantomZone } from './types.js';

/** Per-row geometry of one lung field, for placing findings in it. */
export interface LungInfo {
  /** Which lung: the patient's side. */
  readonly side: 'left' | 'right';
  /** Its mask (1 inside). */
  readonly mask: Uint8Array;
  /** Width and height of the image. */
  readonly size: number;
  /** First and last rows holding lung pixels. */
  readonly top: number;
  /** Last row holding lung pixels. */
  readonly bottom: number;
  /** Leftmost lung column of each row (−1 where the row has none). */
  readonly rowMin: Int32Array;
  /** Rightmost lung column of each row (−1 where the row has none). */
  readonly rowMax: Int32Array;
  /** Distance of each pixel to the nearest pixel outside this lung (0 outside). */
  readonly depth: Float32Array;
}

/**
 * Measures a lung field.
 *
 * @param mask - the lung's mask
 * @param size - image width and height
 * @param side - the patient's side it is on
 * @returns its geometry
 */
export function lungInfo(mask: Uint8Array, size: number, side: 'left' | 'right'): LungInfo {
  const rowMin = new Int32Array(size).fill(-1);
  const rowMax = new Int32Array(size).fill(-1);
  let top = size;
  let bottom = -1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (!mask[y * size + x]) continue;
      if (rowMin[y]! < 0) rowMin[y] = x;
      rowMax[y] = x;
      if (y < top) top = y;
      bottom = y;
    }
  }
  const outside = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) outside[i] = mask[i] ? 0 : 1;
  return { side, mask, size, top, bottom, rowMin, rowMax, depth: distanceFrom(outside, size) };
}

/** Height of the lung field in rows. */
export function lungHeight(lung: LungInfo): number {
  return lung.bottom - lung.top + 1;
}

/**
 * The zone of row `y` in a lung: its upper, middle or lower third.
 *
 * @param lung - the lung
 * @param y - a row (may be fractional)
 * @returns the zone
 */
export function zoneAt(lung: LungInfo, y: number): PhantomZone {
  const t = (y - lung.top) / lungHeight(lung);
  return t < 1 / 3 ? 'upper' : t < 2 / 3 ? 'mid' : 'lower';
}

/**
 * How lateral pixel `(x, y)` is within its row of the lung: 0 at the medial edge, 1 at the lateral edge (the
 * image-left edge for the right lung).
 */
export function lateralFraction(lung: LungInfo, x: number, y: number): number {
  const lo = lung.rowMin[y]!;
  const hi = lung.rowMax[y]!;
  if (lo < 0 || hi <= lo) return 0;
  const t = (x - lo) / (hi - lo);
  return lung.side === 'right' ? 1 - t : t;
}

/**
 * A random pixel of the lung in `zone`, at least `margin` pixels from the lung's edge and outside `occupied`;
 * `undefined` when there is none.
 *
 * @param rng - the finding's stream
 * @param lung - the lung
 * @param zone - the zone, or `undefined` for any
 * @param margin - minimum distance to the lung's edge in pixels
 * @param occupied - pixels already taken (1), or undefined
 * @returns `[x, y]`, or undefined
 */
export function pickPoint(rng: SeededRandom, lung: LungInfo, zone: PhantomZone | undefined, margin: number, occupied?: Uint8Array): [number, number] | undefined {
  const candidates: number[] = [];
  const { size } = lung;
  for (let i = 0; i < lung.mask.length; i++) {
    if (lung.depth[i]! < margin || occupied?.[i]) continue;
    if (zone !== undefined && zoneAt(lung, Math.floor(i / size)) !== zone) continue;
    candidates.push(i);
  }
  if (candidates.length === 0) return undefined;
  const i = candidates[rng.integer(candidates.length)]!;
  return [i % size, Math.floor(i / size)];
}
