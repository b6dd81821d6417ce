import { describe, it, expect } from 'vitest';
import { streamRandom } from './seed.js';
import { NORMAL_CTR, buildAnatomy, measureCtr } from './anatomy.js';
import { centroidOf, extentOf } from './raster.js';

const size = 224;

describe('buildAnatomy', () => {
  for (const seed of [0, 1, 2, 3, 4, 5]) {
    it(`seed ${seed}: lungs inside the body, apart from each other and the heart; radiological sides`, () => {
      const m = buildAnatomy(streamRandom(seed, 'anatomy'), size);
      let right = 0;
      let left = 0;
      let outsideBody = 0;
      let shared = 0;
      for (let i = 0; i < size * size; i++) {
        const parts = m.rightLung[i]! + m.leftLung[i]! + m.heart[i]! + m.abdomen[i]!;
        if (parts && !m.body[i]) outsideBody++;
        if (parts > 1) shared++;
        right += m.rightLung[i]!;
        left += m.leftLung[i]!;
      }
      expect(outsideBody).toBe(0);
      expect(shared).toBe(0);
      // Each lung covers a plausible share of the image (roughly 8–20 %).
      for (const area of [right, left]) {
        expect(area / (size * size)).toBeGreaterThan(0.06);
        expect(area / (size * size)).toBeLessThan(0.22);
      }
      // Patient's right lung on the image left; heart left of the patient's midline (image right of centre).
      const r = centroidOf(m.rightLung, size);
      const l = centroidOf(m.leftLung, size);
      const h = centroidOf(m.heart, size);
      expect(r.x).toBeLessThan(size / 2);
      expect(l.x).toBeGreaterThan(size / 2);
      expect(h.x).toBeGreaterThan((r.x + l.x) / 2);
      // Heart below the lung apices, lungs above the abdomen.
      expect(h.y).toBeGreaterThan(extentOf(m.rightLung, size)!.top + 0.3 * size);
      expect(centroidOf(m.abdomen, size).y).toBeGreaterThan(Math.max(r.y, l.y));
      // The right hemidiaphragm is not lower than the left (the liver lifts it).
      expect(m.shape.rightLung.domeV).toBeLessThanOrEqual(m.shape.leftLung.domeV);
    });
  }

  it('hits the cardiothoracic ratio it aims for: normal below 0.5, enlarged above', () => {
    for (let seed = 0; seed < 12; seed++) {
      const normal = buildAnatomy(streamRandom(seed, 'anatomy'), size);
      expect(normal.ctr).toBeGreaterThanOrEqual(NORMAL_CTR[0] - 0.012);
      expect(normal.ctr).toBeLessThanOrEqual(NORMAL_CTR[1] + 0.012);
      expect(normal.ctr).toBe(measureCtr(normal.heart, normal.rightLung, normal.leftLung, size));
      const enlarged = buildAnatomy(streamRandom(seed, 'anatomy'), size, 0.6);
      expect(Math.abs(enlarged.ctr - 0.6)).toBeLessThanOrEqual(0.012);
      // Same patient otherwise: same body.
      expect(Buffer.from(enlarged.body).equals(Buffer.from(normal.body))).toBe(true);
    }
  });

  it('scales with the image size', () => {
    const small = buildAnatomy(streamRandom(9, 'anatomy'), 112);
    const large = buildAnatomy(streamRandom(9, 'anatomy'), 448);
    const a = centroidOf(small.heart, 112);
    const b = centroidOf(large.heart, 448);
    expect(Math.abs(a.x / 112 - b.x / 448)).toBeLessThan(0.01);
    expect(Math.abs(small.ctr - large.ctr)).toBeLessThan(0.03);
  });
});
