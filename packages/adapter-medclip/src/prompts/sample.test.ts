import { SeededRandom, samplePrompts as coreSamplePrompts } from '@envision/core';
import { describe, expect, it } from 'vitest';
import { samplePrompts } from './sample.js';
import { chexpert5 } from './sets.js';

describe('samplePrompts', () => {
  it('draws n distinct positions per class from the class’s prompts', () => {
    const s = samplePrompts(chexpert5, 10, 42);
    expect(Object.keys(s)).toEqual(Object.keys(chexpert5));
    for (const [name, prompts] of Object.entries(s)) {
      expect(prompts).toHaveLength(10);
      for (const p of prompts) expect(chexpert5[name]).toContain(p);
      if (name !== 'Pleural Effusion') expect(new Set(prompts).size).toBe(10);
    }
  });

  it('is reproducible for a seed and differs for another', () => {
    expect(samplePrompts(chexpert5, 10, 42)).toEqual(samplePrompts(chexpert5, 10, 42));
    expect(samplePrompts(chexpert5, 10, 43)).not.toEqual(samplePrompts(chexpert5, 10, 42));
  });

  it('keeps every prompt of a class with n or fewer, in order', () => {
    const s = samplePrompts(chexpert5, 15, 1);
    expect(s['Cardiomegaly']).toEqual(chexpert5['Cardiomegaly']);
    expect(samplePrompts({ A: ['x', 'y'] }, 5, 0)).toEqual({ A: ['x', 'y'] });
  });

  it('is a partial Fisher–Yates shuffle driven by SeededRandom(seed), consumed class after class', () => {
    // step i swaps position i with i + integer(size − i)
    const random = new SeededRandom(7);
    const j0 = random.integer(5);
    const j1 = 1 + random.integer(4);
    const order = [0, 1, 2, 3, 4];
    [order[0], order[j0]] = [order[j0]!, order[0]!];
    [order[1], order[j1]] = [order[j1]!, order[1]!];
    const set = { A: ['a', 'b', 'c', 'd', 'e'] };
    expect(samplePrompts(set, 2, 7)['A']).toEqual(order.slice(0, 2).map((i) => set.A[i]));
    // the second class continues the same generator
    const two = samplePrompts({ A: ['a', 'b'], B: ['p', 'q', 'r'] }, 1, 7);
    const r = new SeededRandom(7);
    r.integer(2);
    expect(two['B']).toEqual([['p', 'q', 'r'][r.integer(3)]]);
  });

  it('draws what experiments’ prompt-set targets draw (core’s samplePrompts)', () => {
    for (const seed of [0, 1, 42, 123456]) expect(samplePrompts(chexpert5, 10, seed)).toEqual(coreSamplePrompts(chexpert5, 10, seed));
  });

  it('rejects a bad n or seed', () => {
    expect(() => samplePrompts(chexpert5, 0, 1)).toThrow('samplePrompts: n must be an integer ≥ 1, got 0');
    expect(() => samplePrompts(chexpert5, 2, 1.5)).toThrow(/seed must be an integer/);
  });
});
