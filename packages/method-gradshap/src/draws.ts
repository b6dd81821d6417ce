import { SeededRandom } from '@envision/core';

/** One GradientShap sample: which baseline, where on the path, and the input noise (if any). */
export interface ShapDraw {
  /** Index of the baseline drawn (with replacement). */
  readonly baseline: number;
  /** Position on the path from the baseline to the (noisy) input, uniform in [0, 1). */
  readonly alpha: number;
  /** Gaussian noise added to the input, one value per input element; absent when `stdevs` is 0. */
  readonly noise?: Float32Array;
}

/**
 * Draws GradientShap's samples from a seed: a baseline index uniform over the N baselines, α uniform in [0, 1), and,
 * when `stdevs` > 0, N(0, stdevs²) noise for every input element. The same draws serve every target row.
 */
export function drawSamples(samples: number, baselines: number, elements: number, stdevs: number, seed: number): ShapDraw[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: samples }, () => {
    const baseline = random.integer(baselines);
    const alpha = random.uniform();
    if (stdevs === 0) return { baseline, alpha };
    const noise = new Float32Array(elements);
    for (let i = 0; i < elements; i++) noise[i] = stdevs * random.normal();
    return { baseline, alpha, noise };
  });
}
