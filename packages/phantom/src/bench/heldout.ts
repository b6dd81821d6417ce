import { EnvisionError } from '@envision/core';
import { generatePhantom } from '../phantom/generate.js';
import type { Phantom } from '../phantom/types.js';

/** A range of phantom seeds, both ends included. */
export interface SeedRange {
  /** First seed. */
  readonly first: number;
  /** Last seed (included). */
  readonly last: number;
}

/** Options of {@link walkHeldout}. */
export interface WalkHeldoutOptions {
  /** The held-out seeds, walked in increasing order. */
  readonly range: SeedRange;
  /** Image size the phantoms are generated at (the model's input size). */
  readonly size: number;
  /** How many phantoms with at least one finding to collect for the benchmark. */
  readonly n: number;
  /** How many seeds from the start of the range make up the accuracy set (clamped to the range). */
  readonly accuracySeeds: number;
  /** Called with each phantom of the accuracy set, in seed order (the caller decides which count). */
  onAccuracyPhantom(phantom: Phantom): void | Promise<void>;
  /** Called after each generated phantom: seeds walked so far, and the number the walk will take at least. */
  onProgress?(walked: number, planned: number): void;
}

/** What {@link walkHeldout} found. */
export interface HeldoutWalk {
  /** The first `n` phantoms of the range with at least one finding, in seed order. */
  readonly bench: readonly Phantom[];
  /** The seeds of the accuracy set. */
  readonly accuracy: SeedRange;
  /** How many seeds were generated. */
  readonly walked: number;
}

/**
 * Walks the held-out seeds in order, generating each phantom in memory with {@link generatePhantom} at `size` and
 * default options (exactly what `envision phantom --seed FIRST --size SIZE` writes as item `seed − FIRST`). It hands
 * every phantom of the first `accuracySeeds` seeds to `onAccuracyPhantom`, and keeps the first `n` phantoms that
 * carry at least one finding; it stops as soon as both are done.
 *
 * @param options - range, size, counts and callbacks
 * @returns the benchmark phantoms, the accuracy seeds, and how many seeds were walked
 * @throws EnvisionError `E_CONFIG` when `n` or `accuracySeeds` is not a positive integer, or the range holds fewer
 * than `n` phantoms with findings
 */
export async function walkHeldout(options: WalkHeldoutOptions): Promise<HeldoutWalk> {
  const { range, size, n } = options;
  if (!Number.isInteger(n) || n < 1) throw new EnvisionError('E_CONFIG', `n must be an integer ≥ 1, got ${n}`);
  if (!Number.isInteger(options.accuracySeeds) || options.accuracySeeds < 1) {
    throw new EnvisionError('E_CONFIG', `the accuracy set must hold an integer ≥ 1 of seeds, got ${options.accuracySeeds}`);
  }
  const total = range.last - range.first + 1;
  const accuracy = { first: range.first, last: range.first + Math.min(options.accuracySeeds, total) - 1 };
  const bench: Phantom[] = [];
  let seed = range.first;
  for (; seed <= range.last && (bench.length < n || seed <= accuracy.last); seed++) {
    const phantom = generatePhantom(seed, { size });
    if (seed <= accuracy.last) await options.onAccuracyPhantom(phantom);
    if (phantom.findings.length > 0 && bench.length < n) bench.push(phantom);
    options.onProgress?.(seed - range.first + 1, Math.max(accuracy.last, seed) - range.first + 1);
  }
  if (bench.length < n) {
    throw new EnvisionError(
      'E_CONFIG',
      `n = ${n} is more than the ${bench.length} phantoms with findings among the held-out seeds ${range.first}–${range.last}`,
    );
  }
  return { bench, accuracy, walked: seed - range.first };
}
