import { describe, it, expect } from 'vitest';
import { streamRandom } from './seed.js';
import { buildAnatomy } from './anatomy.js';
import { BACKGROUND, renderBase } from './density.js';
import { renderSkeleton, sampleSkeleton } from './skeleton.js';
import { dilate } from './raster.js';

describe('renderBase', () => {
  const size = 224;
  for (const seed of [0, 1, 2]) {
    it(`seed ${seed}: background dark, lungs darker than soft tissue, heart brighter than the lungs`, () => {
      const rng = streamRandom(seed, 'anatomy');
      const m = buildAnatomy(rng, size);
      const bones = renderSkeleton(m.frame, m.shape, sampleSkeleton(rng), m.body);
      const { density, air } = renderBase(rng, m, bones);
      const mean = (pick: (i: number) => boolean) => {
        let s = 0;
        let n = 0;
        for (let i = 0; i < density.length; i++) if (pick(i)) {
          s += density[i]!;
          n++;
        }
        return s / n;
      };
      const lungs = mean((i) => m.rightLung[i] === 1 || m.leftLung[i] === 1);
      const heart = mean((i) => m.heart[i] === 1);
      const tissue = mean((i) => m.body[i] === 1 && !m.rightLung[i] && !m.leftLung[i] && !m.heart[i]);
      const background = mean((i) => m.body[i] === 0);
      expect(background).toBeCloseTo(BACKGROUND, 2);
      expect(lungs).toBeLessThan(tissue - 0.2);
      expect(heart).toBeGreaterThan(lungs + 0.2);
      expect(background).toBeLessThan(lungs);
      // Air is removed only in the lungs and their soft edge (within 3 pixels).
      const lungMask = m.rightLung.map((v, i) => v | m.leftLung[i]!);
      const near = dilate(lungMask, size, 3);
      let strayAir = 0;
      air.forEach((a, i) => {
        if (a > 0.001 && !near[i]) strayAir++;
      });
      expect(strayAir).toBe(0);
    });
  }
});
