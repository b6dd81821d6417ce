import { describe, it, expect } from 'vitest';
import type { FindingContext, FindingDraw } from './finding-draw.js';
import { findingContext } from './finding-context.test-support.js';
import { drawAtelectasis, drawConsolidation, drawNodule } from './focal.js';
import { zoneAt } from './lung-geometry.js';
import type { FindingSpec } from './plan.js';
import { centroidOf } from './raster.js';
import { streamRandom } from './seed.js';
import type { PhantomClass, PhantomSeverity, PhantomZone } from './types.js';

const size = 224;

const context = (seed: number): FindingContext => findingContext(seed, size);

/** Checks the contract every drawing keeps; returns its area. */
function checkDraw(draw: FindingDraw, lung: Uint8Array): number {
  let area = 0;
  let outsideLung = 0;
  let changedOutside = 0;
  let darkerInside = 0;
  draw.mask.forEach((v, i) => {
    if (v) {
      area++;
      if (!lung[i]) outsideLung++;
      if (draw.add[i]! < 0) darkerInside++;
    } else if (draw.add[i] !== 0 || (draw.markings && draw.markings[i] !== 1)) changedOutside++;
  });
  expect(area).toBeGreaterThan(0);
  expect(outsideLung).toBe(0);
  expect(changedOutside).toBe(0);
  expect(darkerInside).toBe(0);
  return area;
}

const spec = (cls: PhantomClass, side: 'left' | 'right', severity: PhantomSeverity, zone: PhantomZone, subtype: string | null = null): FindingSpec => ({ class: cls, side, severity, zone, subtype });

describe('drawNodule', () => {
  it('is a bright disc inside the requested lung zone, larger with severity', () => {
    const areas: Record<string, number[]> = { mild: [], moderate: [], severe: [] };
    for (let seed = 0; seed < 6; seed++) {
      const ctx = context(seed);
      for (const severity of ['mild', 'moderate', 'severe'] as const) {
        for (const [side, zone] of [['left', 'upper'], ['right', 'lower'], ['right', 'mid']] as const) {
          const draw = drawNodule(streamRandom(seed, `nodule-${severity}-${side}-${zone}`), ctx, spec('Nodule', side, severity, zone))!;
          const lung = side === 'left' ? ctx.left : ctx.right;
          areas[severity]!.push(checkDraw(draw, lung.mask));
          expect(zoneAt(lung, centroidOf(draw.mask, size).y)).toBe(zone);
        }
      }
    }
    const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
    expect(mean(areas.mild!)).toBeLessThan(mean(areas.moderate!));
    expect(mean(areas.moderate!)).toBeLessThan(mean(areas.severe!));
    expect(mean(areas.mild!)).toBeGreaterThan(15);
    expect(mean(areas.severe!)).toBeLessThan(400);
  });
  it('keeps clear of occupied pixels', () => {
    const ctx = context(1);
    ctx.right.mask.forEach((v, i) => {
      if (v && (i % size) % 40 < 30) ctx.occupied[i] = 1;
    });
    for (let k = 0; k < 10; k++) {
      const draw = drawNodule(streamRandom(k, 'n'), ctx, spec('Nodule', 'right', 'mild', 'mid'));
      if (draw) expect(draw.mask.some((v, i) => v === 1 && ctx.occupied[i] === 1)).toBe(false);
    }
  });
});

describe('drawConsolidation', () => {
  it('fills part of one lung, hides markings there, and grows with severity', () => {
    const areas: Record<string, number[]> = { mild: [], moderate: [], severe: [] };
    let zoneHits = 0;
    let total = 0;
    for (let seed = 0; seed < 6; seed++) {
      const ctx = context(seed);
      for (const severity of ['mild', 'moderate', 'severe'] as const) {
        for (const [side, zone, subtype] of [['left', 'lower', 'patchy'], ['right', 'upper', 'airspace']] as const) {
          const draw = drawConsolidation(streamRandom(seed, `c-${severity}-${side}`), ctx, spec('Consolidation', side, severity, zone, subtype))!;
          const lung = side === 'left' ? ctx.left : ctx.right;
          areas[severity]!.push(checkDraw(draw, lung.mask));
          expect(draw.markings!.some((v) => v < 0.5)).toBe(true);
          total++;
          if (zoneAt(lung, centroidOf(draw.mask, size).y) === zone) zoneHits++;
        }
      }
    }
    const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
    expect(mean(areas.mild!)).toBeLessThan(mean(areas.severe!));
    expect(zoneHits / total).toBeGreaterThan(0.75);
  });
});

describe('drawAtelectasis', () => {
  it('is a thin, elongated, nearly horizontal band in the lung', () => {
    for (let seed = 0; seed < 6; seed++) {
      const ctx = context(seed);
      for (const subtype of ['linear', 'plate-like', 'subsegmental']) {
        const draw = drawAtelectasis(streamRandom(seed, subtype), ctx, spec('Atelectasis', seed % 2 ? 'left' : 'right', 'moderate', 'lower', subtype))!;
        const lung = seed % 2 ? ctx.left : ctx.right;
        const area = checkDraw(draw, lung.mask);
        let x0 = size;
        let x1 = 0;
        let y0 = size;
        let y1 = 0;
        draw.mask.forEach((v, i) => {
          if (!v) return;
          x0 = Math.min(x0, i % size);
          x1 = Math.max(x1, i % size);
          y0 = Math.min(y0, Math.floor(i / size));
          y1 = Math.max(y1, Math.floor(i / size));
        });
        expect(x1 - x0).toBeGreaterThan(1.3 * (y1 - y0));
        // Mean thickness: area over length stays a few pixels.
        expect(area / (x1 - x0 + 1)).toBeLessThan(9);
      }
    }
  });
});
