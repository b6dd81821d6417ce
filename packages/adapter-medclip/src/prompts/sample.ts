import { EnvisionError, samplePrompts as sampleClasses } from '@envision/core';
import type { PromptSet } from './sets.js';

/**
 * `n` prompts per class drawn without replacement, as MedCLIP's `generate_*_class_prompts(n)` does, but
 * reproducibly: MedCLIP calls Python's unseeded `random.sample`, this takes a seed.
 *
 * One `SeededRandom(seed)` (mulberry32, `@envision/core`) is consumed class after class, in the set's class
 * order; each class is a partial Fisher–Yates shuffle of its prompts, and the prompts come out in the order they
 * were drawn (as `random.sample` returns them). A class with `n` or fewer prompts keeps all of them in their
 * order, as MedCLIP does. A prompt listed twice in a class (Pleural Effusion's) may be drawn twice. This is the
 * draw of core's `samplePrompts`, which experiments' prompt-set targets use, so a seed picks the same prompts in
 * an experiment and in `envision classify`.
 *
 * @param set - class → prompts
 * @param n - prompts per class, an integer ≥ 1
 * @param seed - any 32-bit integer
 * @returns a new set with the same classes in the same order
 * @throws EnvisionError `E_INPUT` when `n` is not a positive integer or `seed` not an integer
 */
export function samplePrompts(set: PromptSet, n: number, seed: number): PromptSet {
  if (!Number.isInteger(n) || n < 1) throw new EnvisionError('E_INPUT', `samplePrompts: n must be an integer ≥ 1, got ${n}`);
  if (!Number.isInteger(seed)) throw new EnvisionError('E_INPUT', `samplePrompts: seed must be an integer, got ${seed}`);
  return sampleClasses(set, n, seed);
}
