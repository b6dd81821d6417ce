import { describe, it, expect } from 'vitest';
import { tensor } from '@envision/core';
import { groupMeanRows, prepareApproaches } from './approaches.js';
import { fakeAdapter, linearModel, registryWith } from './fake-model.test-support.js';

// Text embeddings: a1 = [1, 0], a2 = [0, 2] (t̂ = [0, 1]), b = [3, 4] (t̂ = [0.6, 0.8]); τ = exp(ln 2) = 2.
const TEXT: Record<string, number[]> = { a1: [1, 0], a2: [0, 2], b: [3, 4] };
const adapter = fakeAdapter(linearModel([[0], [0]], [1, 1, 1]), (t) => TEXT[t]!, Math.log(2));
const registry = () => registryWith();

describe('groupMeanRows', () => {
  it('averages the rows of each group (hand-computed)', () => {
    const rows = tensor('float32', [3, 2], Float32Array.of(1, 2, 3, 6, 10, 20));
    expect([...groupMeanRows(rows, [[0, 1], [2]]).data]).toEqual([2, 4, 10, 20]);
    expect([...groupMeanRows(rows, [[2, 0]]).data]).toEqual([5.5, 11]);
    expect(() => groupMeanRows(rows, [[]])).toThrow(/group 0 has no rows/);
    expect(() => groupMeanRows(rows, [[3]])).toThrow(/row 3 is out of range/);
  });
});

describe('prepareApproaches', () => {
  it('baseline: the PromptClassifier (max of τ·cos per class); proposed: the class mean of τ·t̂ (hand-computed)', async () => {
    const { baseline, proposed } = await prepareApproaches(adapter, registry(), { A: ['a1', 'a2'], B: ['b'] });
    expect(baseline.labels).toEqual(['A', 'B']);
    expect(proposed.labels).toEqual(['A', 'B']);
    const e = Float32Array.of(3, 4); // ê = [0.6, 0.8]
    // Baseline scores: A = 2 · max(0.6, 0.8) = 1.6; B = 2 · 1 = 2.
    const b = baseline.at(e);
    expect([...b.scores].map((v) => +v.toFixed(6) + 0)).toEqual([1.6, 2]);
    expect(b.head).toBeDefined();
    // Cotangent of A = a2's: (τ/‖e‖)(t̂ − cos·ê) = 0.4 · ([0, 1] − 0.8 · [0.6, 0.8]) = [−0.192, 0.144]; B: 0.
    expect([...b.weights.data].map((v) => +v.toFixed(6) + 0)).toEqual([-0.192, 0.144, 0, 0]);
    // Proposed weights: A = 2 · mean([1, 0], [0, 1]) = [1, 1]; B = 2 · [0.6, 0.8]; scores = weights · e.
    const p = proposed.at(e);
    expect(proposed.linear).toBe(true);
    expect(p.head).toBeUndefined();
    expect([...p.weights.data].map((v) => +v.toFixed(6) + 0)).toEqual([1, 1, 1.2, 1.6]);
    expect([...p.scores].map((v) => +v.toFixed(5) + 0)).toEqual([7, 10]);
  });
});
