import type { Box } from '@envision/core';

/** Hermite step: 0 below `e0`, 1 above `e1`, smooth in between (`e0 < e1`). */
export function smoothstep(e0: number, e1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
}

/** Box sizes whose three successive box blurs approximate a Gaussian of `sigma` (Kutskir's "boxes for gauss"). */
function boxRadii(sigma: number): number[] {
  const n = 3;
  const ideal = Math.sqrt((12 * sigma * sigma) / n + 1);
  let wl = Math.floor(ideal);
  if (wl % 2 === 0) wl--;
  const wu = wl + 2;
  const m = Math.round((12 * sigma * sigma - n * wl * wl - 4 * n * wl - 3 * n) / (-4 * wl - 4));
  return Array.from({ length: n }, (_, i) => ((i < m ? wl : wu) - 1) / 2);
}

/** One box blur of radius `r` along each row, edges clamped. */
function boxRows(src: Float32Array, dst: Float32Array, size: number, r: number): void {
  const scale = 1 / (2 * r + 1);
  const last = size - 1;
  for (let base = 0; base < src.length; base += size) {
    const first = src[base]!;
    const end = src[base + last]!;
    let sum = 0;
    for (let i = -r; i <= r; i++) sum += src[base + (i < 0 ? 0 : i > last ? last : i)]!;
    // Three stretches: the window's left end clamped, both ends inside, the right end clamped.
    const a = Math.min(size, r);
    const b = Math.max(a, size - r - 1);
    let i = 0;
    for (; i < a; i++) {
      dst[base + i] = sum * scale;
      sum += (i + r + 1 > last ? end : src[base + i + r + 1]!) - first;
    }
    for (; i < b; i++) {
      dst[base + i] = sum * scale;
      sum += src[base + i + r + 1]! - src[base + i - r]!;
    }
    for (; i < size; i++) {
      dst[base + i] = sum * scale;
      sum += end - (i - r < 0 ? first : src[base + i - r]!);
    }
  }
}

/** One box blur of radius `r` down each column, edges clamped; all columns advance together (row order). */
function boxColumns(src: Float32Array, dst: Float32Array, size: number, r: number, sums: Float64Array): void {
  const scale = 1 / (2 * r + 1);
  const last = size - 1;
  sums.fill(0);
  for (let i = -r; i <= r; i++) {
    const row = (i < 0 ? 0 : i > last ? last : i) * size;
    for (let x = 0; x < size; x++) sums[x]! += src[row + x]!;
  }
  for (let y = 0; y < size; y++) {
    const out = y * size;
    const add = Math.min(last, y + r + 1) * size;
    const sub = Math.max(0, y - r) * size;
    for (let x = 0; x < size; x++) {
      dst[out + x] = sums[x]! * scale;
      sums[x]! += src[add + x]! - src[sub + x]!;
    }
  }
}

/**
 * A Gaussian-like blur of a square plane: three separable box blurs (edges clamped), close to a Gaussian of
 * standard deviation `sigma` pixels. A `sigma` below 0.5 returns a copy.
 *
 * @param src - `size · size` values, row-major
 * @param size - width and height
 * @param sigma - standard deviation in pixels
 * @returns a new blurred plane
 */
export function blur(src: Float32Array, size: number, sigma: number): Float32Array {
  const out = Float32Array.from(src);
  if (!(sigma >= 0.5)) return out;
  const tmp = new Float32Array(src.length);
  const sums = new Float64Array(size);
  for (const r of boxRadii(sigma)) {
    if (r <= 0) continue;
    boxRows(out, tmp, size, r);
    boxColumns(tmp, out, size, r, sums);
  }
  return out;
}

/**
 * Approximate Euclidean distance (chamfer 1/√2, two passes) from every pixel to the nearest pixel where `seeds`
 * is non-zero; `Infinity` everywhere when there is none.
 *
 * @param seeds - `size · size` bytes
 * @param size - width and height
 * @returns distances in pixels (0 on the seeds)
 */
export function distanceFrom(seeds: Uint8Array, size: number): Float32Array {
  const d = new Float32Array(size * size);
  for (let i = 0; i < d.length; i++) d[i] = seeds[i] ? 0 : Infinity;
  const D = Math.SQRT2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      let v = d[i]!;
      if (x > 0) v = Math.min(v, d[i - 1]! + 1);
      if (y > 0) {
        v = Math.min(v, d[i - size]! + 1);
        if (x > 0) v = Math.min(v, d[i - size - 1]! + D);
        if (x < size - 1) v = Math.min(v, d[i - size + 1]! + D);
      }
      d[i] = v;
    }
  }
  for (let y = size - 1; y >= 0; y--) {
    for (let x = size - 1; x >= 0; x--) {
      const i = y * size + x;
      let v = d[i]!;
      if (x < size - 1) v = Math.min(v, d[i + 1]! + 1);
      if (y < size - 1) {
        v = Math.min(v, d[i + size]! + 1);
        if (x < size - 1) v = Math.min(v, d[i + size + 1]! + D);
        if (x > 0) v = Math.min(v, d[i + size - 1]! + D);
      }
      d[i] = v;
    }
  }
  return d;
}

/**
 * The tight bounding box of a mask's non-zero pixels, `x1`/`y1` exclusive; `undefined` for an empty mask.
 *
 * @param mask - `size · size` bytes
 * @param size - width and height
 * @returns the box, or undefined
 */
export function boxOf(mask: Uint8Array, size: number): Box | undefined {
  let x0 = size;
  let y0 = size;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (!mask[y * size + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return x1 < 0 ? undefined : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/**
 * Count and centroid of a mask's non-zero pixels (pixel centres at integer coordinates).
 *
 * @param mask - `size · size` bytes
 * @param size - width and height
 * @returns the pixel count and the mean `x`, `y` (NaN when empty)
 */
export function centroidOf(mask: Uint8Array, size: number): { count: number; x: number; y: number } {
  let count = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    count++;
    sx += i % size;
    sy += Math.floor(i / size);
  }
  return { count, x: sx / count, y: sy / count };
}

/**
 * The first and last rows holding a non-zero pixel, and the extreme columns over all rows.
 *
 * @param mask - `size · size` bytes
 * @param size - width and height
 * @returns rows `top`…`bottom` and columns `left`…`right`, inclusive; `undefined` for an empty mask
 */
export function extentOf(mask: Uint8Array, size: number): { top: number; bottom: number; left: number; right: number } | undefined {
  const box = boxOf(mask, size);
  return box && { top: box.y0, bottom: box.y1 - 1, left: box.x0, right: box.x1 - 1 };
}

/** A float plane of 0/1 from a mask. */
export function maskToFloat(mask: Uint8Array): Float32Array {
  const out = new Float32Array(mask.length);
  for (let i = 0; i < mask.length; i++) out[i] = mask[i] ? 1 : 0;
  return out;
}

/** True when any pixel is set in both masks. */
export function overlaps(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] && b[i]) return true;
  return false;
}

/** Pixels within `radius` of a set pixel of `mask` (the mask grown by `radius`). */
export function dilate(mask: Uint8Array, size: number, radius: number): Uint8Array {
  const d = distanceFrom(mask, size);
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < d.length; i++) out[i] = d[i]! <= radius ? 1 : 0;
  return out;
}
