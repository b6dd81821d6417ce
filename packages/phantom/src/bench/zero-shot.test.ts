import { describe, it, expect } from 'vitest';
import { tensor, type Tensor } from '@envision/core';
import type { BenchModel } from './types.js';
import { ZeroShotTally, predictedClass } from './zero-shot.js';

const classes = ['A', 'B', 'No Finding'];

/** A model whose "classifier" predicts class (first grey level mod 3); records batch sizes. */
function fakeModel(batches: number[]): BenchModel {
  return {
    adapter: undefined as never,
    imageSize: 2,
    preprocess: (grey, size) => tensor('float32', [1, 1, size, size], Float32Array.from(grey)),
    classify(pixels: Tensor<'float32'>) {
      const b = pixels.shape[0]!;
      batches.push(b);
      const n = pixels.data.length / b;
      return Promise.resolve(Array.from({ length: b }, (_, i) => classes.map((_, c) => (c === pixels.data[i * n]! % 3 ? 1 : 0))));
    },
  };
}

const grey = (v: number) => Uint8Array.of(v, 0, 0, 0);

describe('predictedClass', () => {
  it('is the arg-max, the first on a tie', () => {
    expect(predictedClass([0.1, 0.7, 0.2], classes)).toBe('B');
    expect(predictedClass([0.5, 0.5, 0.2], classes)).toBe('A');
    expect(() => predictedClass([1], classes)).toThrow(/1 logits for 3 classes/);
  });
});

describe('ZeroShotTally', () => {
  it('counts correct predictions per class, in batches, skipping labels outside the prompt set', async () => {
    const batches: number[] = [];
    const tally = new ZeroShotTally(fakeModel(batches), classes, 2);
    // predicted: 0→A, 1→B, 2→No Finding, 4→B, 3→A
    expect(await tally.add(grey(0), 2, 'A')).toBe(true); // correct
    expect(await tally.add(grey(1), 2, 'A')).toBe(true); // wrong (B)
    expect(await tally.add(grey(2), 2, 'No Finding')).toBe(true); // correct
    expect(await tally.add(grey(4), 2, 'B')).toBe(true); // correct
    expect(await tally.add(grey(3), 2, 'Edema')).toBe(false); // not a class: not counted
    expect(await tally.add(grey(3), 2, 'No Finding')).toBe(true); // wrong (A)
    const r = await tally.finish();
    expect(batches).toEqual([2, 2, 1]);
    expect(r).toEqual({
      accuracy: 3 / 5,
      images: 5,
      correct: 3,
      perClass: { A: { images: 2, correct: 1 }, B: { images: 1, correct: 1 }, 'No Finding': { images: 2, correct: 1 } },
    });
  });
  it('gives NaN without images', async () => {
    expect((await new ZeroShotTally(fakeModel([]), classes).finish()).accuracy).toBeNaN();
  });
});
