import { describe, it, expect } from 'vitest';
import { streamRandom } from './seed.js';
import { buildAnatomy } from './anatomy.js';
import { renderSkeleton, sampleSkeleton } from './skeleton.js';

describe('renderSkeleton', () => {
  const size = 224;
  const rng = streamRandom(11, 'anatomy');
  const m = buildAnatomy(rng, size);
  const bones = renderSkeleton(m.frame, m.shape, sampleSkeleton(rng), m.body);

  it('draws bones only inside the body, non-negative and bounded', () => {
    for (const plane of [bones.ribs, bones.clavicles, bones.spine]) {
      let outside = 0;
      let bad = 0;
      plane.forEach((v, i) => {
        if (v !== 0 && !m.body[i]) outside++;
        if (!(v >= 0 && v < 3)) bad++;
      });
      expect(outside).toBe(0);
      expect(bad).toBe(0);
    }
  });

  it('puts the spine on the midline, ribs over both lungs, clavicles near the top', () => {
    let sx = 0;
    let n = 0;
    bones.spine.forEach((v, i) => {
      if (v > 0) {
        sx += i % size;
        n++;
      }
    });
    const [midX] = m.frame.toPixel(0.5, 0.5);
    expect(Math.abs(sx / n - midX)).toBeLessThan(3);
    // A good share of each lung is covered by ribs (bands alternate with intercostal spaces).
    for (const lung of [m.rightLung, m.leftLung]) {
      let covered = 0;
      let area = 0;
      lung.forEach((v, i) => {
        if (!v) return;
        area++;
        if (bones.ribs[i]! > 0.3) covered++;
      });
      expect(covered / area).toBeGreaterThan(0.25);
      expect(covered / area).toBeLessThan(0.85);
    }
    let cy = 0;
    let cn = 0;
    bones.clavicles.forEach((v, i) => {
      if (v > 0.5) {
        cy += Math.floor(i / size);
        cn++;
      }
    });
    expect(cn).toBeGreaterThan(0);
    expect(cy / cn).toBeLessThan(0.25 * size);
  });
});
