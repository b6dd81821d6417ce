import { describe, it, expect } from 'vitest';
import type { FindingContext } from './finding-draw.js';
import { findingContext } from './finding-context.test-support.js';
import type { LungInfo } from './lung-geometry.js';
import { drawEffusion, drawPneumothorax } from './pleural.js';
import type { FindingSpec } from './plan.js';
import { streamRandom } from './seed.js';
import type { PhantomSeverity, PhantomSide } from './types.js';

const size = 224;

const context = (seed: number): FindingContext => findingContext(seed, size);

const spec = (cls: 'Pleural Effusion' | 'Pneumothorax', side: PhantomSide, severity: PhantomSeverity): FindingSpec => ({
  class: cls,
  side,
  severity,
  zone: cls === 'Pneumothorax' ? 'upper' : 'lower',
  subtype: null,
});

const area = (mask: Uint8Array, within?: Uint8Array) => mask.reduce((s, v, i) => s + (v && (!within || within[i]) ? 1 : 0), 0);

/** Top row of the mask within the lateral or medial third of a lung's rows. */
function topIn(mask: Uint8Array, lung: LungInfo, lateral: boolean): number {
  let top = size;
  mask.forEach((v, i) => {
    if (!v) return;
    const x = i % size;
    const y = Math.floor(i / size);
    const t = (x - lung.rowMin[y]!) / Math.max(1, lung.rowMax[y]! - lung.rowMin[y]!);
    const s = lung.side === 'right' ? 1 - t : t;
    if (lateral ? s > 2 / 3 : s < 1 / 3) top = Math.min(top, y);
  });
  return top;
}

describe('drawEffusion', () => {
  it('fills the base from the costophrenic angle with a meniscus rising laterally, more with severity', () => {
    for (let seed = 0; seed < 5; seed++) {
      const ctx = context(seed);
      const areas: number[] = [];
      for (const severity of ['mild', 'moderate', 'severe'] as const) {
        for (const side of ['left', 'right'] as const) {
          const draw = drawEffusion(streamRandom(seed, `e-${severity}-${side}`), ctx, spec('Pleural Effusion', side, severity))!;
          const lung = side === 'left' ? ctx.left : ctx.right;
          const other = side === 'left' ? ctx.right : ctx.left;
          expect(area(draw.mask)).toBe(area(draw.mask, lung.mask));
          expect(area(draw.mask, other.mask)).toBe(0);
          // The lowest lung pixel (the costophrenic recess) is under fluid: the angle is blunted.
          const bottom = lung.bottom * size;
          expect(draw.mask.subarray(bottom, bottom + size).some((v, x) => v === 1 && lung.mask[bottom + x] === 1)).toBe(true);
          if (severity !== 'mild') expect(topIn(draw.mask, lung, true)).toBeLessThan(topIn(draw.mask, lung, false));
          let wrong = 0;
          draw.mask.forEach((v, i) => {
            if (v ? !(draw.add[i]! > 0) : draw.add[i] !== 0) wrong++;
          });
          expect(wrong).toBe(0);
          if (side === 'left') areas.push(area(draw.mask));
        }
      }
      expect(areas[0]!).toBeLessThan(areas[1]!);
      expect(areas[1]!).toBeLessThan(areas[2]!);
    }
  });
  it('covers both bases when bilateral', () => {
    const ctx = context(3);
    const draw = drawEffusion(streamRandom(3, 'b'), ctx, spec('Pleural Effusion', 'bilateral', 'moderate'))!;
    expect(area(draw.mask, ctx.left.mask)).toBeGreaterThan(0);
    expect(area(draw.mask, ctx.right.mask)).toBeGreaterThan(0);
  });
});

describe('drawPneumothorax', () => {
  it('is a dark rim without markings at the apex and lateral wall, with a bright pleural line', () => {
    for (let seed = 0; seed < 5; seed++) {
      const ctx = context(seed);
      const areas: number[] = [];
      for (const severity of ['mild', 'moderate', 'severe'] as const) {
        const side = seed % 2 ? 'left' : 'right';
        const draw = drawPneumothorax(streamRandom(seed, `p-${severity}`), ctx, spec('Pneumothorax', side, severity))!;
        const lung = side === 'left' ? ctx.left : ctx.right;
        expect(area(draw.mask)).toBe(area(draw.mask, lung.mask));
        // Touches the apex.
        const top = lung.top * size;
        expect(draw.mask.subarray(top, top + size).some((v) => v === 1)).toBe(true);
        let dark = 0;
        let bright = 0;
        let wrong = 0;
        draw.mask.forEach((v, i) => {
          if (!v) {
            if (draw.add[i] !== 0) wrong++;
            return;
          }
          if (draw.markings![i] !== 0) wrong++;
          if (draw.add[i]! < 0) dark++;
          else bright++;
        });
        expect(wrong).toBe(0);
        expect(dark).toBeGreaterThan(bright);
        expect(bright).toBeGreaterThan(0);
        // Apical: most of it lies in the upper half of the lung.
        const mid = Math.round((lung.top + lung.bottom) / 2) * size;
        expect(area(draw.mask.subarray(mid))).toBeLessThan((severity === 'severe' ? 0.5 : 0.25) * area(draw.mask));
        areas.push(area(draw.mask));
      }
      expect(areas[0]!).toBeLessThan(areas[1]!);
      expect(areas[1]!).toBeLessThan(areas[2]!);
    }
  });
});
