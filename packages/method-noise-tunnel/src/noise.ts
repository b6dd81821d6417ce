import { SeededRandom } from '@envision/core';

/**
 * The noise of a noise tunnel, one sample after another: ε ~ N(0, stdevs²) for every input element, drawn from core's
 * {@link SeededRandom} (mulberry32) seeded with `seed`. Each value is `stdevs · random.normal()` — one Box–Muller
 * normal √(−2 ln(1 − u)) · cos(2π v) from two consecutive uniforms u, v — rounded to float32; sample s takes the
 * `elements` values after those of samples 0…s−1, in the input's row-major order. The same seed gives the same
 * noise on every machine, and a dev script can replay it exactly.
 *
 * @param samples - number of samples
 * @param elements - values per sample (the input's size without its batch axis)
 * @param stdevs - standard deviation of the noise
 * @param seed - any 32-bit integer
 * @returns one generator of float32 noise arrays, one per sample
 */
export function* noiseSamples(samples: number, elements: number, stdevs: number, seed: number): Generator<Float32Array> {
  const random = new SeededRandom(seed);
  for (let s = 0; s < samples; s++) {
    const noise = new Float32Array(elements);
    for (let i = 0; i < elements; i++) noise[i] = stdevs * random.normal();
    yield noise;
  }
}
