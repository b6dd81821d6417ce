import { EnvisionError, SeededRandom } from '@envision/core';

/** murmur3's 32-bit finaliser: a bijective mix of all bits. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A 32-bit seed for one named random stream of a phantom (`anatomy`, `noise`, `finding-0`, …), derived from the
 * phantom's seed by hashing, so the streams are independent: drawing a finding does not shift the anatomy or the
 * noise, and a phantom with and without a finding differ only where the finding is.
 *
 * @param seed - the phantom's seed (a non-negative safe integer; all 53 bits count)
 * @param stream - the stream's name
 * @returns a 32-bit unsigned seed
 */
export function deriveSeed(seed: number, stream: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < stream.length; i++) h = Math.imul(h ^ stream.charCodeAt(i), 0x01000193);
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  h = fmix32(h ^ lo);
  h = fmix32(h ^ Math.imul(hi ^ 0x9e3779b9, 0x27d4eb2d));
  return h;
}

/**
 * A {@link SeededRandom} for one named stream of a phantom (see {@link deriveSeed}).
 *
 * @param seed - the phantom's seed
 * @param stream - the stream's name
 * @returns a fresh generator
 */
export function streamRandom(seed: number, stream: string): SeededRandom {
  return new SeededRandom(deriveSeed(seed, stream));
}

/**
 * Checks a phantom seed: a non-negative safe integer.
 *
 * @param seed - the candidate
 * @param what - what it is, for the message
 * @throws EnvisionError `E_CONFIG` otherwise
 */
export function checkSeed(seed: number, what = 'phantom seed'): void {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new EnvisionError('E_CONFIG', `${what} must be an integer ≥ 0, got ${seed}`);
}

/** Uniform number in [lo, hi). */
export function between(rng: SeededRandom, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.uniform();
}

/** One element of a non-empty list, chosen uniformly. */
export function pick<T>(rng: SeededRandom, items: readonly T[]): T {
  return items[rng.integer(items.length)]!;
}
