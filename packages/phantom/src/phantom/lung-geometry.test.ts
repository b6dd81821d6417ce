import { describe, it, expect } from 'vitest';
import { SeededRandom } from '@envision/core';
import { lateralFraction, lungHeight, lungInfo, pickPoint, zoneAt } from './lung-geometry.js';

// A 20 × 20 image with a rectangular "right lung" (image left) in columns 2–9, rows 3–17.
const size = 20;
const mask = new Uint8Array(size * size);
for (let y = 3; y <= 17; y++) for (let x = 2; x <= 9; x++) mask[y * size + x] = 1;
const lung = lungInfo(mask, size, 'right');

describe('lungInfo', () => {
  it('measures rows, extents and depth', () => {
    expect([lung.top, lung.bottom, lungHeight(lung)]).toEqual([3, 17, 15]);
    expect([lung.rowMin[5], lung.rowMax[5], lung.rowMin[0]]).toEqual([2, 9, -1]);
    expect(lung.depth[10 * size + 2]).toBe(1);
    expect(lung.depth[10 * size + 5]).toBe(4);
    expect(lung.depth[0]).toBe(0);
  });
  it('splits the height into thirds', () => {
    expect([zoneAt(lung, 3), zoneAt(lung, 7), zoneAt(lung, 8), zoneAt(lung, 12), zoneAt(lung, 13), zoneAt(lung, 17)]).toEqual(['upper', 'upper', 'mid', 'mid', 'lower', 'lower']);
  });
  it('measures lateral position toward the patient side of the image', () => {
    expect(lateralFraction(lung, 2, 5)).toBe(1);
    expect(lateralFraction(lung, 9, 5)).toBe(0);
    const left = lungInfo(mask, size, 'left');
    expect(lateralFraction(left, 9, 5)).toBe(1);
  });
  it('picks points in the zone, away from the edge and from occupied pixels', () => {
    const occupied = new Uint8Array(size * size);
    for (let y = 0; y < size; y++) occupied[y * size + 5] = 1;
    const rng = new SeededRandom(1);
    for (let k = 0; k < 50; k++) {
      const [x, y] = pickPoint(rng, lung, 'lower', 2, occupied)!;
      expect(zoneAt(lung, y)).toBe('lower');
      expect(lung.depth[y * size + x]).toBeGreaterThanOrEqual(2);
      expect(x).not.toBe(5);
    }
    expect(pickPoint(rng, lung, 'upper', 10)).toBeUndefined();
  });
});
