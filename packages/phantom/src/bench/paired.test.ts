import { describe, expect, it } from 'vitest';
import { pairedDifferences, sortedQuantile } from './paired.js';
import type { BenchFindingRecord, BenchImageRecord, FindingScores } from './types.js';

const scores = (v: number): FindingScores => ({ pointingGame: v, energyInBox: v / 10, massOutsideBody: 0, deletionAuc: 0, insertionAuc: 0 });
const finding = (seed: number, baseline: number, proposed: number): BenchFindingRecord => ({
  seed,
  class: 'A',
  scores: { m: { baseline: scores(baseline), proposed: scores(proposed) } },
});
const image = (seed: number, baseline: number, proposed: number): BenchImageRecord => ({ seed, classes: ['A'], classMapSimilarity: { m: { baseline, proposed } } });

describe('sortedQuantile', () => {
  it('interpolates between order statistics (type 7)', () => {
    expect(sortedQuantile([1, 2, 3, 4], 0)).toBe(1);
    expect(sortedQuantile([1, 2, 3, 4], 1)).toBe(4);
    expect(sortedQuantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(sortedQuantile([0, 10], 0.25)).toBe(2.5);
    expect(sortedQuantile([], 0.5)).toBeNaN();
  });
});

describe('pairedDifferences', () => {
  it('one phantom: every resample is the sample, so the interval is the mean', () => {
    const d = pairedDifferences([finding(7, 0, 1), finding(7, 1, 1)], [image(7, 0.5, 0.25)], ['m'], { resamples: 50 });
    expect(d.methods.m!.pointingGame).toEqual({ mean: 0.5, low: 0.5, high: 0.5, pairs: 2 });
    expect(d.methods.m!.energyInBox.mean).toBeCloseTo(0.05, 15);
    expect(d.methods.m!.classMapSimilarity).toEqual({ mean: -0.25, low: -0.25, high: -0.25, pairs: 1 });
    expect(d.methods.m!.deletionAuc).toEqual({ mean: 0, low: 0, high: 0, pairs: 2 });
  });

  it('two phantoms with differences −1 and +1: resample means are −1, 0 or +1, so the 95 % interval is [−1, 1]', () => {
    const d = pairedDifferences([finding(1, 1, 0), finding(2, 0, 1)], [], ['m'], { resamples: 2000 });
    expect(d.methods.m!.pointingGame).toEqual({ mean: 0, low: -1, high: 1, pairs: 2 });
  });

  it('resamples phantoms, not findings: a phantom with three findings moves as one', () => {
    // phantom 1: three findings of difference +1; phantom 2: one of −1. Draws: {1,1} → 1, {2,2} → −1, mixed → 0.5.
    const d = pairedDifferences([finding(1, 0, 1), finding(1, 0, 1), finding(1, 0, 1), finding(2, 1, 0)], [], ['m'], { resamples: 4000 });
    const p = d.methods.m!.pointingGame;
    expect(p.mean).toBe(0.5);
    expect(p.low).toBe(-1);
    expect(p.high).toBe(1);
    // the central 20 % of the draws are mixed ones (half of all draws): 0.5
    const half = pairedDifferences([finding(1, 0, 1), finding(1, 0, 1), finding(1, 0, 1), finding(2, 1, 0)], [], ['m'], { resamples: 4000, level: 0.2 });
    expect(half.methods.m!.pointingGame.low).toBe(0.5);
    expect(half.methods.m!.pointingGame.high).toBe(0.5);
  });

  it('leaves out undefined similarities and is NaN with no pair; the same seed gives the same intervals', () => {
    const findings = [finding(1, 0, 1), finding(2, 1, 1), finding(3, 0, 0), finding(4, 1, 0), finding(5, 0, 1)];
    const images = [image(1, NaN, 0.2), image(2, 0.1, 0.3)];
    const a = pairedDifferences(findings, images, ['m', 'absent'], { resamples: 300, seed: 3 });
    expect(a.methods.m!.classMapSimilarity.pairs).toBe(1);
    expect(a.methods.m!.classMapSimilarity.mean).toBeCloseTo(0.2, 12);
    expect(a.methods.absent!.pointingGame.pairs).toBe(0);
    expect(a.methods.absent!.pointingGame.mean).toBeNaN();
    expect(a.methods.absent!.pointingGame.low).toBeNaN();
    expect(a).toEqual(pairedDifferences(findings, images, ['m', 'absent'], { resamples: 300, seed: 3 }));
    const p = a.methods.m!.pointingGame;
    expect(p.mean).toBeCloseTo(0.2, 12);
    expect(p.low).toBeLessThanOrEqual(p.mean);
    expect(p.high).toBeGreaterThanOrEqual(p.mean);
  });
});
