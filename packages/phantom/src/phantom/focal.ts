import type { SeededRandom } from '@envision/core';
import { type FindingContext, type FindingDraw, confine, lungOn } from './finding-draw.js';
import { pickPoint } from './lung-geometry.js';
import { type FindingSpec, bySeverity } from './plan.js';
import { correlatedNoise } from './display.js';
import { between } from './seed.js';

/** Allowed pixels of a focal finding: inside its lung, outside earlier findings. */
function inLungAndFree(ctx: FindingContext, lung: Uint8Array): (i: number) => boolean {
  return (i) => lung[i] === 1 && ctx.occupied[i] === 0;
}

/**
 * A nodule: a small bright disc with a soft edge and a slight dome, fully inside one lung zone. Radius 4.5–5.5
 * (mild), 6–7.5 (moderate) or 8.5–10.5 (severe) pixels at 224 — large enough to stay visible at a model's 96–128 px.
 *
 * @returns the drawing, or `undefined` when no free place is left in the zone
 */
export function drawNodule(rng: SeededRandom, ctx: FindingContext, spec: FindingSpec): FindingDraw | undefined {
  const lung = lungOn(ctx, spec.side as 'left' | 'right');
  const [lo, hi] = bySeverity(spec.severity, [[4.5, 5.5], [6, 7.5], [8.5, 10.5]] as const);
  const r = between(rng, lo, hi) * ctx.scale;
  const amp = between(rng, 0.28, 0.34) + bySeverity(spec.severity, [0, 0.03, 0.06]);
  const centre = pickPoint(rng, lung, spec.zone ?? undefined, r + 2 * ctx.scale, grow(ctx, r));
  if (!centre) return undefined;
  const [cx, cy] = centre;
  const { size } = ctx;
  const mask = new Uint8Array(size * size);
  const add = new Float32Array(size * size);
  const reach = Math.ceil(r + 2);
  for (let y = Math.max(0, cy - reach); y <= Math.min(size - 1, cy + reach); y++) {
    for (let x = Math.max(0, cx - reach); x <= Math.min(size - 1, cx + reach); x++) {
      const d = Math.hypot(x - cx, y - cy);
      const edge = Math.min(1, Math.max(0, r + 0.5 - d));
      if (edge <= 0) continue;
      const i = y * size + x;
      add[i] = amp * edge * (0.7 + 0.3 * Math.sqrt(Math.max(0, 1 - (d / r) ** 2)));
      if (edge >= 0.25) mask[i] = 1;
    }
  }
  const draw = { spec, mask, add };
  return confine(draw, inLungAndFree(ctx, lung.mask)) > 0 ? draw : undefined;
}

/** Occupied pixels grown by `r` (so a disc of radius r centred outside it cannot touch what is occupied). */
function grow(ctx: FindingContext, r: number): Uint8Array {
  const { size, occupied } = ctx;
  const out = new Uint8Array(occupied.length);
  const R = Math.ceil(r);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (!occupied[y * size + x]) continue;
      for (let yy = Math.max(0, y - R); yy <= Math.min(size - 1, y + R); yy++) {
        for (let xx = Math.max(0, x - R); xx <= Math.min(size - 1, x + R); xx++) out[yy * size + xx] = 1;
      }
    }
  }
  return out;
}

/**
 * Consolidation: a patchy (several blobs, mottled) or airspace (confluent) opacity filling part of one lung's
 * airspace around a point of the zone, bounded by the lung's edge. Vessels inside it fade (silhouetted).
 *
 * @returns the drawing, or `undefined` when no free place is left
 */
export function drawConsolidation(rng: SeededRandom, ctx: FindingContext, spec: FindingSpec): FindingDraw | undefined {
  const lung = lungOn(ctx, spec.side as 'left' | 'right');
  const s = ctx.scale;
  const extent = bySeverity(spec.severity, [9, 12, 16]) * s * between(rng, 0.85, 1.15);
  const centre = pickPoint(rng, lung, spec.zone ?? undefined, 4 * s, grow(ctx, extent * 0.8));
  if (!centre) return undefined;
  const patchy = spec.subtype === 'patchy';
  const blobs = (patchy ? 6 : 3) + rng.integer(3);
  const spread = patchy ? 0.85 : 0.6;
  const parts = Array.from({ length: blobs }, () => ({
    x: centre[0] + rng.normal() * extent * spread,
    y: centre[1] + rng.normal() * extent * spread * 0.8,
    sigma: extent * (patchy ? between(rng, 0.3, 0.55) : between(rng, 0.45, 0.85)),
    w: between(rng, 0.6, 1),
  }));
  const texture = correlatedNoise(rng, ctx.size, (patchy ? 2.5 : 4) * s);
  const fill = bySeverity(spec.severity, [0.5, 0.65, 0.8]) * between(rng, 0.9, 1.1);
  const { size } = ctx;
  const mask = new Uint8Array(size * size);
  const add = new Float32Array(size * size);
  const markings = new Float32Array(size * size).fill(1);
  const reach = extent * 5;
  for (let y = Math.max(0, Math.floor(centre[1] - reach)); y <= Math.min(size - 1, Math.ceil(centre[1] + reach)); y++) {
    for (let x = Math.max(0, Math.floor(centre[0] - reach)); x <= Math.min(size - 1, Math.ceil(centre[0] + reach)); x++) {
      const i = y * size + x;
      if (!lung.mask[i]) continue;
      let f = 0;
      for (const p of parts) f += p.w * Math.exp(-((x - p.x) ** 2 + (y - p.y) ** 2) / (2 * p.sigma * p.sigma));
      // The extent comes from the smooth blobs (a mask without holes); the texture only modulates the density.
      if (f < 0.3) continue;
      const t = Math.min(1, (f - 0.3) / 0.3);
      const level = Math.min(1, (0.15 + 0.85 * t * t * (3 - 2 * t)) * Math.max(0.3, 1 + (patchy ? 0.25 : 0.12) * texture[i]!));
      mask[i] = 1;
      add[i] = (ctx.air[i]! - 0.5 * ctx.boneOverLung[i]!) * fill * level;
      markings[i] = 1 - 0.7 * level;
    }
  }
  const draw = { spec, mask, add, markings };
  return confine(draw, inLungAndFree(ctx, lung.mask)) > 0 ? draw : undefined;
}

/**
 * Atelectasis: a linear (thin), plate-like (thick) or subsegmental (short) bright band, nearly horizontal and
 * slightly curved, tapering at both ends, inside one lung zone.
 *
 * @returns the drawing, or `undefined` when no free place is left
 */
export function drawAtelectasis(rng: SeededRandom, ctx: FindingContext, spec: FindingSpec): FindingDraw | undefined {
  const lung = lungOn(ctx, spec.side as 'left' | 'right');
  const s = ctx.scale;
  const short = spec.subtype === 'subsegmental';
  const length = bySeverity(spec.severity, [28, 36, 46]) * s * between(rng, 0.85, 1.15) * (short ? 0.65 : 1);
  const thickness = bySeverity(spec.severity, [3.2, 4, 5]) * s * (spec.subtype === 'plate-like' ? 1.5 : 1) * between(rng, 0.9, 1.1);
  const amp = between(rng, 0.26, 0.32) + bySeverity(spec.severity, [0, 0.03, 0.06]);
  const { size } = ctx;
  for (let attempt = 0; attempt < 6; attempt++) {
    const centre = pickPoint(rng, lung, spec.zone ?? undefined, Math.max(4 * s, thickness * 2), grow(ctx, length / 2));
    if (!centre) return undefined;
    const angle = between(rng, -0.3, 0.3);
    const bend = between(rng, -1, 1) * 0.25 / length;
    const dx = Math.cos(angle);
    const dy = Math.sin(angle);
    const mask = new Uint8Array(size * size);
    const add = new Float32Array(size * size);
    let inside = 0;
    let total = 0;
    const reach = Math.ceil(length / 2 + thickness + 2);
    for (let y = Math.max(0, centre[1] - reach); y <= Math.min(size - 1, centre[1] + reach); y++) {
      for (let x = Math.max(0, centre[0] - reach); x <= Math.min(size - 1, centre[0] + reach); x++) {
        const ox = x - centre[0];
        const oy = y - centre[1];
        const along = ox * dx + oy * dy;
        const perp = -ox * dy + oy * dx - bend * along * along;
        const q = (2 * along) / length;
        if (Math.abs(q) >= 1) continue;
        const half = (thickness / 2) * Math.sqrt(1 - q ** 4);
        const edge = Math.min(1, Math.max(0, half + 0.5 - Math.abs(perp)));
        if (edge <= 0) continue;
        const i = y * size + x;
        if (edge >= 0.25) {
          total++;
          if (lung.mask[i]) inside++;
          mask[i] = 1;
        }
        add[i] = amp * edge;
      }
    }
    if (total === 0 || inside < 0.9 * total) continue;
    const draw = { spec, mask, add };
    if (confine(draw, inLungAndFree(ctx, lung.mask)) > 0) return draw;
  }
  return undefined;
}
