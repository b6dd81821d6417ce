import { describe, it, expect } from 'vitest';
import { buildAnatomy } from './anatomy.js';
import { renderBase } from './density.js';
import { drawEdema } from './diffuse.js';
import { makeFindingContext } from './finding-draw.js';
import { streamRandom } from './seed.js';
import { renderSkeleton, sampleSkeleton } from './skeleton.js';

const size = 224;

describe('drawEdema', () => {
  it('is a bilateral perihilar haze within the lungs, wider with severity', () => {
    for (let seed = 0; seed < 4; seed++) {
      const rng = streamRandom(seed, 'anatomy');
      const m = buildAnatomy(rng, size);
      const base = renderBase(rng, m, renderSkeleton(m.frame, m.shape, sampleSkeleton(rng), m.body));
      const ctx = makeFindingContext(m, base);
      const areas: number[] = [];
      for (const severity of ['mild', 'moderate', 'severe'] as const) {
        const draw = drawEdema(streamRandom(seed, severity), ctx, { class: 'Edema', side: 'bilateral', zone: 'mid', severity, subtype: null })!;
        let right = 0;
        let left = 0;
        let elsewhere = 0;
        let nearHila = 0;
        let wrong = 0;
        draw.mask.forEach((v, i) => {
          if (!v) {
            if (draw.add[i] !== 0) wrong++;
            return;
          }
          if (!(draw.add[i]! > 0)) wrong++;
          if (m.rightLung[i]) right++;
          else if (m.leftLung[i]) left++;
          else elsewhere++;
          const x = i % size;
          const y = Math.floor(i / size);
          const [hx, hy] = x < size / 2 ? ctx.hila.right : ctx.hila.left;
          if (Math.hypot(x - hx, y - hy) < 0.2 * size) nearHila++;
        });
        expect(wrong).toBe(0);
        expect(right).toBeGreaterThan(0);
        expect(left).toBeGreaterThan(0);
        expect(elsewhere).toBe(0);
        expect(nearHila / (right + left)).toBeGreaterThan(0.6);
        areas.push(right + left);
      }
      expect(areas[0]!).toBeLessThan(areas[2]!);
    }
  });
});
