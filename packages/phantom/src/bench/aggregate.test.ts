import { describe, it, expect } from 'vitest';
import { finiteMean, meanFindingScores, summarizeBench } from './aggregate.js';
import { BENCH_METRICS, type BenchFindingRecord, type BenchImageRecord, type FindingScores } from './types.js';

const s = (pointingGame: number, energyInBox: number, massOutsideBody: number, deletionAuc: number, insertionAuc: number): FindingScores => ({
  pointingGame,
  energyInBox,
  massOutsideBody,
  deletionAuc,
  insertionAuc,
});

const findings: BenchFindingRecord[] = [
  { seed: 1, class: 'A', scores: { ig: { baseline: s(1, 0.5, 0.1, 0.2, 0.6), proposed: s(0, 0.25, 0.3, 0.4, 0.2) } } },
  { seed: 1, class: 'B', scores: { ig: { baseline: s(0, 0.25, 0.3, 0.4, 0.8), proposed: s(1, 0.75, 0.1, 0.2, 0.4) } } },
  { seed: 2, class: 'A', scores: { ig: { baseline: s(1, 0, 0.2, 0.3, 0.7), proposed: s(1, 0.5, 0.2, 0.3, 0.6) } } },
];
const images: BenchImageRecord[] = [
  { seed: 1, classes: ['A', 'B'], classMapSimilarity: { ig: { baseline: 0.9, proposed: 0.1 } } },
  { seed: 2, classes: ['A'], classMapSimilarity: { ig: { baseline: 0.7, proposed: NaN } } },
];

describe('finiteMean', () => {
  it('leaves NaN out and falls back when nothing is left', () => {
    expect(finiteMean([1, NaN, 3], 0)).toBe(2);
    expect(finiteMean([NaN], 0)).toBe(0);
    expect(finiteMean([], 5)).toBe(5);
  });
});

describe('meanFindingScores', () => {
  it('averages over findings (hand-computed)', () => {
    const m = meanFindingScores(findings, 'ig', 'baseline');
    expect(m.pointingGame).toBeCloseTo(2 / 3, 12);
    expect(m.energyInBox).toBeCloseTo(0.25, 12);
    expect(m.massOutsideBody).toBeCloseTo(0.2, 12);
    expect(m.deletionAuc).toBeCloseTo(0.3, 12);
    expect(m.insertionAuc).toBeCloseTo(0.7, 12);
  });
  it('rejects no findings and a missing method', () => {
    expect(() => meanFindingScores([], 'ig', 'baseline')).toThrow(/no findings/);
    expect(() => meanFindingScores(findings, 'occlusion', 'baseline')).toThrow(/seed 1 has no baseline scores for method occlusion/);
  });
});

describe('summarizeBench', () => {
  it('builds the JSON contract: exactly its keys, numbers as numbers', () => {
    const json = summarizeBench(['ig'], findings, images, 0.875);
    expect(Object.keys(json)).toEqual(['zeroShotAccuracy', 'n', 'methods']);
    expect(json.zeroShotAccuracy).toBe(0.875);
    expect(json.n).toBe(2);
    expect(Object.keys(json.methods)).toEqual(['ig']);
    expect(Object.keys(json.methods.ig!)).toEqual(['baseline', 'proposed']);
    for (const approach of ['baseline', 'proposed'] as const) expect(Object.keys(json.methods.ig![approach])).toEqual([...BENCH_METRICS]);
    expect(json.methods.ig!.baseline.classMapSimilarity).toBeCloseTo(0.8, 12);
    // The undefined similarity of image 2 is left out.
    expect(json.methods.ig!.proposed.classMapSimilarity).toBeCloseTo(0.1, 12);
    expect(json.methods.ig!.proposed.pointingGame).toBeCloseTo(2 / 3, 12);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
  it('reports a NaN accuracy as 0', () => {
    expect(summarizeBench(['ig'], findings, images, NaN).zeroShotAccuracy).toBe(0);
  });
});
