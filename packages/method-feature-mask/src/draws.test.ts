import { describe, it, expect } from 'vitest';
import { drawKernelShapCoalitions, drawLimeCoalitions, drawPermutations } from './draws.js';

describe('seeded draws', () => {
  it('permutations: each a permutation, the same for the same seed, different for another, every position uniform', () => {
    const perms = drawPermutations(5, 5000, 3);
    for (const p of perms) expect([...p].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(drawPermutations(5, 5000, 3)).toEqual(perms);
    expect(drawPermutations(5, 20, 4)).not.toEqual(perms.slice(0, 20));
    const first = [0, 0, 0, 0, 0];
    for (const p of perms) first[p[0]!]!++;
    for (const c of first) expect(Math.abs(c / 5000 - 0.2)).toBeLessThan(0.02);
  });

  it("kernel-shap: all present, none, then sizes k with probability ∝ (m − 1) / (k (m − k)), as Captum's generator", () => {
    const m = 6;
    const draws = drawKernelShapCoalitions(m, 20002, 1);
    expect([...draws[0]!]).toEqual([1, 1, 1, 1, 1, 1]);
    expect([...draws[1]!]).toEqual([0, 0, 0, 0, 0, 0]);
    const sizes = new Array<number>(m + 1).fill(0);
    const perFeature = new Array<number>(m).fill(0);
    for (const z of draws.slice(2)) {
      sizes[z.reduce((a, b) => a + b, 0)]!++;
      z.forEach((v, f) => (perFeature[f]! += v));
    }
    expect(sizes[0]).toBe(0);
    expect(sizes[m]).toBe(0);
    const p = [1, 2, 3, 4, 5].map((k) => (m - 1) / (k * (m - k)));
    const total = p.reduce((a, b) => a + b, 0);
    p.forEach((pk, i) => expect(Math.abs(sizes[i + 1]! / 20000 - pk / total)).toBeLessThan(0.012));
    for (const c of perFeature) expect(Math.abs(c / 20000 - 0.5)).toBeLessThan(0.015); // symmetric sizes: half present
    expect(drawKernelShapCoalitions(m, 50, 1)).toEqual(draws.slice(0, 50));
  });

  it('lime: each feature present with probability ½, independently; seeded', () => {
    const draws = drawLimeCoalitions(8, 4000, 9);
    const mean = draws.reduce((s, z) => s + z.reduce((a, b) => a + b, 0), 0) / (8 * 4000);
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    expect(drawLimeCoalitions(8, 4000, 9)).toEqual(draws);
    expect(drawLimeCoalitions(8, 10, 10)).not.toEqual(draws.slice(0, 10));
  });
});
