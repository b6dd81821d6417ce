import type { SeededRandom } from '@envision/core';
import { type FindingContext, type FindingDraw, confine, lungOn } from './finding-draw.js';
import { lateralFraction, lungHeight } from './lung-geometry.js';
import { type FindingSpec, bySeverity } from './plan.js';
import { distanceFrom } from './raster.js';
import { between } from './seed.js';

/**
 * Pleural effusion: fluid filling the lung base from below, its upper border a meniscus that climbs the lateral
 * chest wall, so the costophrenic angle is blunted (mild: the angle only; moderate: the hemidiaphragm is hidden;
 * severe: up to half the lung). The fluid is as dense as soft tissue, its top edge fading over a few pixels, and
 * hides the lung markings. Bilateral effusions are one finding whose mask covers both bases.
 *
 * @returns the drawing, or `undefined` when earlier findings leave no room
 */
export function drawEffusion(rng: SeededRandom, ctx: FindingContext, spec: FindingSpec): FindingDraw | undefined {
  const { size } = ctx;
  const mask = new Uint8Array(size * size);
  const add = new Float32Array(size * size);
  const markings = new Float32Array(size * size).fill(1);
  const sides = spec.side === 'bilateral' ? (['right', 'left'] as const) : ([spec.side as 'left' | 'right'] as const);
  const [lo, hi] = bySeverity(spec.severity, [[0.07, 0.11], [0.2, 0.27], [0.36, 0.46]] as const);
  const fade = 4 * ctx.scale;
  for (const side of sides) {
    const lung = lungOn(ctx, side);
    const h = lungHeight(lung);
    const fraction = between(rng, lo, hi);
    const meniscus = between(rng, 0.08, 0.14);
    for (let y = lung.top; y <= lung.bottom; y++) {
      for (let x = lung.rowMin[y]!; x >= 0 && x <= lung.rowMax[y]!; x++) {
        const i = y * size + x;
        if (!lung.mask[i]) continue;
        const s = lateralFraction(lung, x, y);
        const level = lung.bottom - h * (fraction + meniscus * s * s);
        if (y < level) continue;
        mask[i] = 1;
        add[i] = (ctx.air[i]! + 0.04 - 0.8 * ctx.boneOverLung[i]!) * Math.min(1, (y - level + 1) / fade);
        markings[i] = 0.15;
      }
    }
  }
  const draw = { spec, mask, add, markings };
  const inLungs = (i: number) => (ctx.right.mask[i] === 1 || ctx.left.mask[i] === 1) && ctx.occupied[i] === 0;
  return confine(draw, inLungs) > 0 ? draw : undefined;
}

/**
 * Pneumothorax: air between the chest wall and a collapsed lung at the apex and down the lateral side. The band
 * next to the wall (9–12, 14–19 or 21–28 pixels at 224 by severity, tapering lower down) is darker and has no lung
 * markings; its inner edge is the visible visceral pleural line, a thin bright curve. Both are in the mask.
 *
 * @returns the drawing, or `undefined` when earlier findings leave no room
 */
export function drawPneumothorax(rng: SeededRandom, ctx: FindingContext, spec: FindingSpec): FindingDraw | undefined {
  const { size } = ctx;
  const lung = lungOn(ctx, spec.side as 'left' | 'right');
  const h = lungHeight(lung);
  const [lo, hi] = bySeverity(spec.severity, [[9, 12], [14, 19], [21, 28]] as const);
  const depth = between(rng, lo, hi) * ctx.scale;
  const fullTo = lung.top + h * (bySeverity(spec.severity, [0.38, 0.5, 0.62]) + between(rng, -0.04, 0.04));
  const endAt = fullTo + h * between(rng, 0.15, 0.25);
  // Distance from the chest wall: from outside pixels above the lung or lateral to its row centre.
  const seeds = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    const lo2 = lung.rowMin[y]!;
    const hi2 = lung.rowMax[y]!;
    const mid = (lo2 + hi2) / 2;
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      if (lung.mask[i]) continue;
      if (y < lung.top) seeds[i] = 1;
      else if (lo2 >= 0 && (lung.side === 'right' ? x < mid : x > mid)) seeds[i] = 1;
    }
  }
  const dist = distanceFrom(seeds, size);
  const line = 2.2 * ctx.scale;
  const darker = between(rng, 0.11, 0.15);
  const bright = between(rng, 0.15, 0.2);
  const mask = new Uint8Array(size * size);
  const add = new Float32Array(size * size);
  const markings = new Float32Array(size * size).fill(1);
  for (let y = lung.top; y <= lung.bottom; y++) {
    const taper = y <= fullTo ? 1 : Math.max(0, 1 - (y - fullTo) / (endAt - fullTo));
    const d = depth * Math.sqrt(taper);
    if (d < 1.5) continue;
    for (let x = lung.rowMin[y]!; x >= 0 && x <= lung.rowMax[y]!; x++) {
      const i = y * size + x;
      if (!lung.mask[i] || dist[i]! > d) continue;
      mask[i] = 1;
      markings[i] = 0;
      add[i] = dist[i]! > d - line ? bright : -darker;
    }
  }
  const draw = { spec, mask, add, markings };
  return confine(draw, (i) => lung.mask[i] === 1 && ctx.occupied[i] === 0) > 0 ? draw : undefined;
}
