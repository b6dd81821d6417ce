import type { SeededRandom } from '@envision/core';
import { boxOf, distanceFrom } from './raster.js';
import { between, pick } from './seed.js';
import type { PhantomDistractor, PhantomDistractorKind } from './types.js';

/** 5 × 7 bitmaps of the side-marker letters, rows top to bottom. */
export const MARKER_GLYPHS: Readonly<Record<'L' | 'R', readonly string[]>> = {
  L: ['10000', '10000', '10000', '10000', '10000', '10000', '11111'],
  R: ['11110', '10001', '10001', '11110', '10100', '10010', '10001'],
};

/** A distractor with the density it adds (outside the body only). */
export interface DistractorDraw extends PhantomDistractor {
  /** Density added, `size · size`. */
  readonly add: Float32Array;
}

/**
 * A lead side marker: the letter drawn bright and crisp in a corner of the background, at least a few pixels from
 * the body. By convention `R` sits on the image left (the patient's right) and `L` on the image right.
 *
 * @param rng - the distractor stream
 * @param body - body mask
 * @param size - image size
 * @returns the marker, or `undefined` when no corner is free
 */
export function drawMarker(rng: SeededRandom, body: Uint8Array, size: number): DistractorDraw | undefined {
  const k = Math.max(1, Math.round((2 * size) / 224));
  const w = 5 * k;
  const h = 7 * k;
  const margin = Math.max(2, Math.round((4 * size) / 224));
  const clearance = Math.max(2, Math.round((3 * size) / 224));
  const corners: [number, number][] = [
    [margin, margin],
    [size - margin - w, margin],
    [margin, size - margin - h],
    [size - margin - w, size - margin - h],
  ];
  const free = corners.filter(([x0, y0]) => {
    for (let y = Math.max(0, y0 - clearance); y < Math.min(size, y0 + h + clearance); y++) {
      for (let x = Math.max(0, x0 - clearance); x < Math.min(size, x0 + w + clearance); x++) if (body[y * size + x]) return false;
    }
    return true;
  });
  if (free.length === 0) return undefined;
  const [x0, y0] = pick(rng, free);
  const text = x0 < size / 2 ? 'R' : 'L';
  const value = between(rng, 0.8, 0.95);
  const mask = new Uint8Array(size * size);
  const add = new Float32Array(size * size);
  MARKER_GLYPHS[text].forEach((row, gy) => {
    for (let gx = 0; gx < 5; gx++) {
      if (row[gx] !== '1') continue;
      for (let dy = 0; dy < k; dy++) {
        for (let dx = 0; dx < k; dx++) {
          const i = (y0 + gy * k + dy) * size + x0 + gx * k + dx;
          mask[i] = 1;
          add[i] = value;
        }
      }
    }
  });
  return { kind: 'marker', text, mask, box: boxOf(mask, size)!, add };
}

/**
 * A wire or tube lying outside the patient: a smooth bright curve (a quadratic Bézier) from the top edge of the
 * image to its side edge through the background, never closer than a few pixels to the body.
 *
 * @param rng - the distractor stream
 * @param body - body mask
 * @param size - image size
 * @param avoid - pixels to keep clear of (e.g. a marker), or undefined
 * @returns the tube, or `undefined` when no curve fits after 20 tries
 */
export function drawTube(rng: SeededRandom, body: Uint8Array, size: number, avoid?: Uint8Array): DistractorDraw | undefined {
  const keep = new Uint8Array(body.length);
  for (let i = 0; i < keep.length; i++) keep[i] = body[i]! | (avoid?.[i] ?? 0);
  const clear = distanceFrom(keep, size);
  const scale = size / 224;
  const radius = between(rng, 0.8, 1.3) * scale;
  const minClear = radius + 3 * scale;
  const value = between(rng, 0.45, 0.7);
  for (let attempt = 0; attempt < 20; attempt++) {
    const left = rng.uniform() < 0.5;
    const edgeX = left ? 0 : size - 1;
    const p0: [number, number] = [left ? between(rng, 0, size * 0.3) : between(rng, size * 0.7, size - 1), 0];
    const p2: [number, number] = [edgeX, between(rng, size * 0.05, size * 0.95)];
    const p1: [number, number] = [between(rng, Math.min(p0[0], p2[0]), Math.max(p0[0], p2[0])), between(rng, 0, p2[1])];
    const steps = Math.ceil(2 * (Math.hypot(p1[0] - p0[0], p1[1] - p0[1]) + Math.hypot(p2[0] - p1[0], p2[1] - p1[1])));
    const points: [number, number][] = [];
    let ok = steps > 10 * scale;
    for (let s = 0; s <= steps && ok; s++) {
      const t = s / steps;
      const x = (1 - t) ** 2 * p0[0] + 2 * t * (1 - t) * p1[0] + t * t * p2[0];
      const y = (1 - t) ** 2 * p0[1] + 2 * t * (1 - t) * p1[1] + t * t * p2[1];
      const xi = Math.min(size - 1, Math.max(0, Math.round(x)));
      const yi = Math.min(size - 1, Math.max(0, Math.round(y)));
      if (clear[yi * size + xi]! < minClear) ok = false;
      points.push([x, y]);
    }
    if (!ok) continue;
    const level = new Float32Array(size * size);
    const reach = Math.ceil(radius + 1);
    for (const [x, y] of points) {
      for (let yy = Math.max(0, Math.floor(y) - reach); yy <= Math.min(size - 1, Math.ceil(y) + reach); yy++) {
        for (let xx = Math.max(0, Math.floor(x) - reach); xx <= Math.min(size - 1, Math.ceil(x) + reach); xx++) {
          const edge = Math.min(1, Math.max(0, radius + 0.5 - Math.hypot(xx - x, yy - y)));
          const i = yy * size + xx;
          if (edge > level[i]!) level[i] = edge;
        }
      }
    }
    const mask = new Uint8Array(size * size);
    const add = new Float32Array(size * size);
    for (let i = 0; i < level.length; i++) {
      if (level[i]! < 0.25) continue;
      mask[i] = 1;
      add[i] = value * level[i]!;
    }
    const box = boxOf(mask, size);
    if (box) return { kind: 'tube', mask, box, add };
  }
  return undefined;
}

/**
 * Which distractor kinds a phantom gets: all, none, the listed ones, or (`'random'`) each kind with probability
 * 0.35 from the distractor stream.
 *
 * @param rng - the distractor stream
 * @param option - the `distractors` option
 * @returns the kinds, marker first
 */
export function chooseDistractors(rng: SeededRandom, option: boolean | readonly PhantomDistractorKind[] | 'random'): PhantomDistractorKind[] {
  const all: PhantomDistractorKind[] = ['marker', 'tube'];
  if (option === true) return all;
  if (option === false) return [];
  if (option === 'random') return all.filter(() => rng.uniform() < 0.35);
  return all.filter((k) => option.includes(k));
}
