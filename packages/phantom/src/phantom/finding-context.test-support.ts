// Test support (not built, not shipped): the finding context of a seeded phantom's anatomy and base rendering, as the
// drawing tests of focal.test.ts and pleural.test.ts start from.
import { buildAnatomy } from './anatomy.js';
import { renderBase } from './density.js';
import { type FindingContext, makeFindingContext } from './finding-draw.js';
import { streamRandom } from './seed.js';
import { renderSkeleton, sampleSkeleton } from './skeleton.js';

/** The finding context of seed `seed`'s anatomy at `size` pixels. */
export function findingContext(seed: number, size: number): FindingContext {
  const rng = streamRandom(seed, 'anatomy');
  const m = buildAnatomy(rng, size);
  const base = renderBase(rng, m, renderSkeleton(m.frame, m.shape, sampleSkeleton(rng), m.body));
  return makeFindingContext(m, base);
}
