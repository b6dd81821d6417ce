import { describe, it, expect } from 'vitest';
import { SeededRandom } from '@envision/core';
import { buildAnatomy } from './anatomy.js';
import { MARKER_GLYPHS, chooseDistractors, drawMarker, drawTube } from './distractors.js';
import { boxOf, dilate } from './raster.js';
import { streamRandom } from './seed.js';

const size = 224;

describe('drawMarker', () => {
  it('draws the letter in a free corner, outside the body, R on the image left and L on the right', () => {
    for (let seed = 0; seed < 10; seed++) {
      const m = buildAnatomy(streamRandom(seed, 'anatomy'), size);
      const marker = drawMarker(new SeededRandom(seed), m.body, size)!;
      expect(marker.kind).toBe('marker');
      expect(marker.mask.some((v, i) => v === 1 && m.body[i] === 1)).toBe(false);
      expect(boxOf(marker.mask, size)).toEqual(marker.box);
      const { x0, y0, x1, y1 } = marker.box;
      expect(marker.text).toBe(x0 < size / 2 ? 'R' : 'L');
      expect(x0 < 20 || x1 > size - 20).toBe(true);
      expect(y0 < 20 || y1 > size - 20).toBe(true);
      // The glyph, scaled by 2 at 224 pixels.
      const glyph = MARKER_GLYPHS[marker.text!];
      expect([x1 - x0, y1 - y0]).toEqual([10, 14]);
      for (let gy = 0; gy < 7; gy++) for (let gx = 0; gx < 5; gx++) expect(marker.mask[(y0 + 2 * gy) * size + x0 + 2 * gx]).toBe(glyph[gy]![gx] === '1' ? 1 : 0);
      expect(marker.mask.every((v, i) => (marker.add[i]! > 0) === (v === 1))).toBe(true);
    }
  });
  it('returns undefined when no corner is free', () => {
    expect(drawMarker(new SeededRandom(1), new Uint8Array(64 * 64).fill(1), 64)).toBeUndefined();
  });
});

describe('drawTube', () => {
  it('draws a curve through the background, clear of the body and of what it must avoid', () => {
    let drawn = 0;
    for (let seed = 0; seed < 10; seed++) {
      const m = buildAnatomy(streamRandom(seed, 'anatomy'), size);
      const avoid = new Uint8Array(size * size);
      for (let y = 2; y < 16; y++) for (let x = 2; x < 12; x++) avoid[y * size + x] = 1;
      const tube = drawTube(new SeededRandom(seed), m.body, size, avoid);
      if (!tube) continue;
      drawn++;
      expect(tube.kind).toBe('tube');
      const near = dilate(m.body, size, 2);
      expect(tube.mask.some((v, i) => v === 1 && (near[i] === 1 || avoid[i] === 1))).toBe(false);
      expect(boxOf(tube.mask, size)).toEqual(tube.box);
      expect(tube.mask.reduce((s, v) => s + v, 0)).toBeGreaterThan(20);
    }
    expect(drawn).toBeGreaterThanOrEqual(8);
  });
});

describe('chooseDistractors', () => {
  it('follows the option; random picks each kind about a third of the time', () => {
    const rng = new SeededRandom(1);
    expect(chooseDistractors(rng, true)).toEqual(['marker', 'tube']);
    expect(chooseDistractors(rng, false)).toEqual([]);
    expect(chooseDistractors(rng, ['tube'])).toEqual(['tube']);
    let markers = 0;
    for (let k = 0; k < 1000; k++) if (chooseDistractors(rng, 'random').includes('marker')) markers++;
    expect(markers / 1000).toBeCloseTo(0.35, 1);
  });
});
