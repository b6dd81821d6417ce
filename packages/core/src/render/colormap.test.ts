import { describe, it, expect } from 'vitest';
import { COLORMAP_ANCHORS, LUT_SIZE, colorAt, colorize, colormapForSign, lookupTable, type ColormapName } from './colormap.js';

// matplotlib's published anchors (_cm.py `_Greens_data` etc. are these bytes / 255).
const GREENS_FIRST = [247, 252, 245];
const GREENS_LAST = [0, 68, 27];

describe('colormapForSign', () => {
  it('matches Captum’s defaults', () => {
    expect(colormapForSign('all')).toEqual({ name: 'RdWhGn', vmin: -1, vmax: 1 });
    expect(colormapForSign('positive')).toEqual({ name: 'Greens', vmin: 0, vmax: 1 });
    expect(colormapForSign('negative')).toEqual({ name: 'Reds', vmin: 0, vmax: 1 });
    expect(colormapForSign('absolute_value')).toEqual({ name: 'Blues', vmin: 0, vmax: 1 });
  });
});

describe('lookupTable', () => {
  it('has matplotlib’s 256 entries, pinned to the end anchors', () => {
    for (const name of Object.keys(COLORMAP_ANCHORS) as ColormapName[]) {
      const lut = lookupTable(name);
      const anchors = COLORMAP_ANCHORS[name];
      expect(lut).toHaveLength(LUT_SIZE * 3);
      expect(Array.from(lut.subarray(0, 3))).toEqual(anchors[0]!.map((v) => v / 255));
      expect(Array.from(lut.subarray(765, 768))).toEqual(anchors[anchors.length - 1]!.map((v) => v / 255));
    }
  });

  it('interpolates linearly at x = i / 255', () => {
    // Greens anchors sit at i = 31.875·k. Entry 128 lies 0.5 past anchor 4 (i = 127.5) towards anchor 5 (i = 159.375):
    // d = 0.5 / 31.875 = 4/255; red = 116 + (4/255)(65 − 116) = 115.2, green = 196 − 100/255, blue = 118 − 100/255.
    const lut = lookupTable('Greens');
    expect(lut[128 * 3]! * 255).toBeCloseTo(115.2, 9);
    expect(lut[128 * 3 + 1]! * 255).toBeCloseTo(196 - 100 / 255, 9);
    expect(lut[128 * 3 + 2]! * 255).toBeCloseTo(118 - 100 / 255, 9);
  });
});

describe('colorAt', () => {
  it('gives the published anchors at the endpoints', () => {
    expect(colorAt('Greens', 0)).toEqual(GREENS_FIRST);
    expect(colorAt('Greens', 1)).toEqual(GREENS_LAST);
    expect(colorAt('Reds', 0)).toEqual([255, 245, 240]);
    expect(colorAt('Reds', 1)).toEqual([103, 0, 13]);
    expect(colorAt('Blues', 0)).toEqual([247, 251, 255]);
    expect(colorAt('Blues', 1)).toEqual([8, 48, 107]);
    expect(colorAt('RdWhGn', 0)).toEqual([255, 0, 0]);
    expect(colorAt('RdWhGn', 1)).toEqual([0, 128, 0]); // matplotlib's "green" is #008000
  });

  it('lands next to every interior anchor (the 256-entry table does not hit k/8 exactly)', () => {
    // t = k/8 picks entry 32k, which lies k/255 of the way from anchor k (at 31.875k) to anchor k + 1
    for (const name of ['Greens', 'Reds', 'Blues'] as const) {
      const anchors = COLORMAP_ANCHORS[name];
      anchors.forEach((anchor, k) => {
        const next = anchors[Math.min(k + 1, 8)]!;
        colorAt(name, k / 8).forEach((v, ch) => {
          const expected = anchor[ch]! + (k < 8 ? (k / 255) * (next[ch]! - anchor[ch]!) : 0);
          expect(Math.abs(v - expected)).toBeLessThanOrEqual(0.5 + 1e-9);
        });
      });
    }
  });

  it('picks entry floor(256·t) at the midpoint', () => {
    // t = 0.5 → entry 128 → (115.2, 195.61, 117.61) rounded; the published middle anchor is (116, 196, 118)
    expect(colorAt('Greens', 0.5)).toEqual([115, 196, 118]);
    // t = 1/8 → entry 32, 1/255 of the way from anchor 1 (229, 245, 224) to anchor 2 (199, 233, 192)
    expect(colorAt('Greens', 1 / 8)).toEqual([229, 245, 224]);
  });

  it('uses the end colours below 0 and above 1', () => {
    expect(colorAt('Blues', -0.5)).toEqual([247, 251, 255]);
    expect(colorAt('Blues', 7)).toEqual([8, 48, 107]);
  });
});

describe('colorize', () => {
  it('maps [−1, 1] onto RdWhGn for sign all', () => {
    const rgb = colorize([-1, 0, 1, 0.5], 'all');
    // 0 → t = 0.5 → entry 128, 1/255 past white towards (0, 128, 0): (254, 255 − 127/255, 254) → (254, 255, 254)
    // 0.5 → t = 0.75 → entry 192, d = 64.5/127.5 past white: red = 255(1 − d) = 126, green = 255 − 127d = 190.75
    expect(Array.from(rgb)).toEqual([255, 0, 0, 254, 255, 254, 0, 128, 0, 126, 191, 126]);
  });

  it('maps [0, 1] onto the sequential maps for the other signs', () => {
    expect(Array.from(colorize([0, 1], 'positive'))).toEqual([...GREENS_FIRST, ...GREENS_LAST]);
    expect(Array.from(colorize([0, 1], 'negative'))).toEqual([255, 245, 240, 103, 0, 13]);
    expect(Array.from(colorize([0, 1], 'absolute_value'))).toEqual([247, 251, 255, 8, 48, 107]);
  });

  it('draws NaN white', () => {
    expect(Array.from(colorize([Number.NaN], 'positive'))).toEqual([255, 255, 255]);
  });
});
