import { describe, it, expect } from 'vitest';
import { tensor } from '@envision/core';
import { causalScores, classPlane, imageClassMapSimilarity, localizationScores, scaledTolerance } from './finding-scores.js';

// 4×4 map; the finding covers (1,1) and (2,1), its box is {1,1,3,2}; the body is columns 1–2.
const MAP = {
  width: 4,
  height: 4,
  data: Float32Array.of(
    0, 0, 0, -4,
    0, 5, 1, 0,
    0, 2, 0, 0,
    0, 0, 0, 0,
  ),
};
const mask = new Uint8Array(16);
mask[5] = 1;
mask[6] = 1;
const finding = { class: 'A', mask, box: { x0: 1, y0: 1, x1: 3, y1: 2 } };
const body = Uint8Array.from({ length: 16 }, (_, i) => (i % 4 === 1 || i % 4 === 2 ? 1 : 0));

describe('localizationScores', () => {
  it('pointing game on the signed maximum, positive energy in the box, |m| outside the body (hand-computed)', () => {
    // max 5 at (1,1) is in the mask; positive mass 5 + 1 + 2 = 8, in the box 6; |m| mass 12, outside the body 4.
    expect(localizationScores(MAP, finding, body, 0)).toEqual({ pointingGame: 1, energyInBox: 0.75, massOutsideBody: 4 / 12 });
  });
  it('misses when the maximum is farther than the tolerance, hits within it', () => {
    const data = Float32Array.from(MAP.data);
    data[15] = 9; // (3,3): √5 ≈ 2.24 px from (2,1)
    const map = { ...MAP, data };
    expect(localizationScores(map, finding, body, 0).pointingGame).toBe(0);
    expect(localizationScores(map, finding, body, 2.2).pointingGame).toBe(0);
    expect(localizationScores(map, finding, body, 2.3).pointingGame).toBe(1);
  });
  it('scales the 15 px tolerance with the image', () => {
    expect(scaledTolerance(224)).toBe(15);
    expect(scaledTolerance(112)).toBe(7.5);
  });
});

describe('causalScores', () => {
  it('deletes to and inserts from the black image in map order, one scorer call per curve (hand-computed)', async () => {
    const calls: number[] = [];
    const sum = (images: Float32Array[]) => {
      calls.push(images.length);
      return Promise.resolve(images.map((im) => im.reduce((a, b) => a + b, 0)));
    };
    const image = { data: Float32Array.of(1, 2, 3, 4), channels: 1, height: 2, width: 2 };
    const map = { data: Float32Array.of(0.1, 0.4, 0.3, 0.2), width: 2, height: 2 }; // order: pixels 1, 2, 3, 0
    const r = await causalScores(map, image, new Float32Array(4), sum, 4);
    // deletion 10, 8, 5, 1, 0 → .25 · 19 = 4.75; insertion 0, 2, 5, 9, 10 → .25 · 21 = 5.25
    expect(r.deletionAuc).toBeCloseTo(4.75, 12);
    expect(r.insertionAuc).toBeCloseTo(5.25, 12);
    expect(calls).toEqual([5, 5]);
  });
});

describe('imageClassMapSimilarity', () => {
  it('is the mean pairwise Spearman of the signed class maps', () => {
    const a = [1, 2, 3, 4];
    const reversed = [4, 3, 2, 1];
    expect(imageClassMapSimilarity(tensor('float32', [2, 2, 2], Float32Array.from([...a, ...a.map((v) => v * 10)])))).toBeCloseTo(1, 12);
    // pairs: (a, a) 1, (a, rev) −1, (a, rev) −1 → −1/3
    expect(imageClassMapSimilarity(tensor('float32', [3, 2, 2], Float32Array.from([...a, ...a, ...reversed])))).toBeCloseTo(-1 / 3, 12);
    expect(imageClassMapSimilarity(tensor('float32', [2, 2, 2], Float32Array.from([...a, 0, 0, 0, 0])))).toBeNaN();
  });
  it('reads rows as planes', () => {
    const maps = tensor('float32', [2, 1, 2], Float32Array.of(1, 2, 3, 4));
    const p = classPlane(maps, 1);
    expect([p.width, p.height, [...p.data]]).toEqual([2, 1, [3, 4]]);
  });
});
