import { describe, it, expect } from 'vitest';
import { streamRandom } from './seed.js';
import { buildAnatomy } from './anatomy.js';
import { hilaOf, renderVessels } from './vessels.js';

describe('renderVessels', () => {
  const size = 224;
  const rng = streamRandom(5, 'anatomy');
  const m = buildAnatomy(rng, size);
  const vessels = renderVessels(rng, m.frame, m.shape);

  it('is non-negative and finite', () => {
    expect(vessels.every((v) => v >= 0 && Number.isFinite(v))).toBe(true);
  });

  it('is densest near the hila and fades toward the periphery of each lung', () => {
    const hila = hilaOf(m.shape);
    for (const [lung, hilum] of [[m.rightLung, hila.right], [m.leftLung, hila.left]] as const) {
      const [hx, hy] = m.frame.toPixel(...hilum);
      let near = 0;
      let nearN = 0;
      let far = 0;
      let farN = 0;
      lung.forEach((v, i) => {
        if (!v) return;
        const d = Math.hypot((i % size) - hx, Math.floor(i / size) - hy);
        if (d < 0.12 * size) {
          near += vessels[i]!;
          nearN++;
        } else if (d > 0.25 * size) {
          far += vessels[i]!;
          farN++;
        }
      });
      expect(near / nearN).toBeGreaterThan(2 * (far / farN));
    }
  });
});
