import { describe, it, expect } from 'vitest';
import { SeededRandom } from '@envision/core';
import { makeFrame, sampleFrameParams } from './frame.js';

describe('Frame', () => {
  it('maps pixels to anatomy and back', () => {
    const frame = makeFrame(100, { tx: 0.02, ty: -0.01, rotation: 0.03, sx: 0.95, sy: 1.03 });
    for (const [x, y] of [[0, 0], [50, 50], [99, 12], [3.5, 80.25]] as const) {
      const [u, v] = frame.toAnatomy(x, y);
      const [px, py] = frame.toPixel(u, v);
      expect(px).toBeCloseTo(x, 9);
      expect(py).toBeCloseTo(y, 9);
    }
  });
  it('precomputes the anatomical coordinates of every pixel centre', () => {
    const frame = makeFrame(32, sampleFrameParams(new SeededRandom(3)));
    for (const [x, y] of [[0, 0], [31, 5], [17, 30]] as const) {
      const [u, v] = frame.toAnatomy(x, y);
      expect(frame.u[y * 32 + x]).toBeCloseTo(u, 12);
      expect(frame.v[y * 32 + x]).toBeCloseTo(v, 12);
    }
  });
  it('without a transform, the image centre is the anatomical centre and u grows to the right', () => {
    const frame = makeFrame(224, { tx: 0, ty: 0, rotation: 0, sx: 1, sy: 1 });
    expect(frame.toPixel(0.5, 0.5)).toEqual([111.5, 111.5]);
    expect(frame.toAnatomy(0, 0)[0]).toBeLessThan(frame.toAnatomy(223, 0)[0]);
    expect(frame.pixelsPerUnit).toBe(224);
  });
});
