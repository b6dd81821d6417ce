import type { SeededRandom } from '@envision/core';
import { type FindingContext, type FindingDraw, confine } from './finding-draw.js';
import { type FindingSpec, bySeverity } from './plan.js';
import { correlatedNoise } from './display.js';
import { between } from './seed.js';

/**
 * Pulmonary edema as bilateral perihilar haze ("bat wing"): an opacity centred on both hila, wider vertically
 * than across, with a reticular texture, fading toward the periphery; the vessels in it become indistinct.
 * Larger and denser with severity.
 *
 * @returns the drawing, or `undefined` when earlier findings leave no room
 */
export function drawEdema(rng: SeededRandom, ctx: FindingContext, spec: FindingSpec): FindingDraw | undefined {
  const { size } = ctx;
  const sx = bySeverity(spec.severity, [20, 26, 32]) * ctx.scale * between(rng, 0.9, 1.1);
  const sy = sx * between(rng, 1.2, 1.45);
  const fill = bySeverity(spec.severity, [0.4, 0.5, 0.62]) * between(rng, 0.9, 1.1);
  const texture = correlatedNoise(rng, size, 2 * ctx.scale);
  const mask = new Uint8Array(size * size);
  const add = new Float32Array(size * size);
  const markings = new Float32Array(size * size).fill(1);
  for (const lung of [ctx.right, ctx.left]) {
    const [hx, hy] = lung.side === 'right' ? ctx.hila.right : ctx.hila.left;
    for (let y = lung.top; y <= lung.bottom; y++) {
      for (let x = lung.rowMin[y]!; x >= 0 && x <= lung.rowMax[y]!; x++) {
        const i = y * size + x;
        if (!lung.mask[i]) continue;
        // The extent comes from the smooth field (a mask without holes); the texture only modulates the density.
        const g = Math.exp(-((x - hx) ** 2) / (2 * sx * sx) - (y - hy) ** 2 / (2 * sy * sy));
        if (g < 0.3) continue;
        const t = Math.min(1, (g - 0.3) / 0.4);
        const level = (0.1 + 0.9 * t * t * (3 - 2 * t)) * Math.max(0.3, 1 + 0.35 * texture[i]!);
        mask[i] = 1;
        add[i] = ctx.air[i]! * fill * Math.min(1, level);
        markings[i] = 1 - 0.5 * Math.min(1, level);
      }
    }
  }
  const draw = { spec, mask, add, markings };
  const free = (i: number) => (ctx.right.mask[i] === 1 || ctx.left.mask[i] === 1) && ctx.occupied[i] === 0;
  return confine(draw, free) > 0 ? draw : undefined;
}
