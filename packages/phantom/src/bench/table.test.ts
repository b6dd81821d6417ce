import { describe, it, expect } from 'vitest';
import type { PhantomBenchResult } from './run.js';
import { describeSeeds, formatBenchSummary, formatBenchTable, formatDifferencesTable, signed } from './table.js';
import type { BenchScores } from './types.js';

const s = (pointingGame: number): BenchScores => ({ pointingGame, energyInBox: 0.5, massOutsideBody: 0.125, classMapSimilarity: -0.25, deletionAuc: 0.2, insertionAuc: 0.6 });
const result = {
  json: { zeroShotAccuracy: 0.75, n: 2, methods: { ig: { baseline: s(1), proposed: s(0.5) }, 'guided-backprop': { baseline: s(0), proposed: s(1 / 3) } } },
  zeroShot: { accuracy: 0.75, images: 4, correct: 3, perClass: {}, seeds: { first: 10, last: 19 } },
  settings: { methods: [{ id: 'ig', options: { steps: 16 } }, { id: 'guided-backprop', options: {} }], steps: 16, tolerance: 15 / 7, size: 32, seeds: [11, 13], heldout: { first: 10, last: 19 }, classes: ['A', 'B'] },
  findings: [{}, {}, {}],
  images: [],
  examples: [],
  milliseconds: {},
  differences: {
    resamples: 2000,
    level: 0.95,
    seed: 0,
    methods: {
      ig: {
        pointingGame: { mean: -0.5, low: -0.75, high: -0.25, pairs: 3 },
        energyInBox: { mean: 0, low: -0.125, high: 0.125, pairs: 3 },
        massOutsideBody: { mean: 0.03125, low: 0, high: 0.0625, pairs: 3 },
        classMapSimilarity: { mean: NaN, low: NaN, high: NaN, pairs: 0 },
        deletionAuc: { mean: 0, low: 0, high: 0, pairs: 3 },
        insertionAuc: { mean: 0.1, low: 0.05, high: 0.2, pairs: 3 },
      },
    },
  },
} as unknown as PhantomBenchResult;

describe('formatBenchTable', () => {
  it('prints one row per method and approach, 4 decimals, with the better direction', () => {
    expect(formatBenchTable(result.json)).toEqual([
      'method           approach   pointing  energy-in-box  outside-body  class-sim   deletion  insertion',
      '                 better            ↑              ↑             ↓          ↓          ↓          ↑',
      'ig               baseline     1.0000         0.5000        0.1250    -0.2500     0.2000     0.6000',
      'ig               proposed     0.5000         0.5000        0.1250    -0.2500     0.2000     0.6000',
      'guided-backprop  baseline     0.0000         0.5000        0.1250    -0.2500     0.2000     0.6000',
      'guided-backprop  proposed     0.3333         0.5000        0.1250    -0.2500     0.2000     0.6000',
    ]);
  });
});

describe('formatDifferencesTable', () => {
  it('prints proposed − baseline and its interval per method and metric, starring intervals that exclude 0', () => {
    expect(formatDifferencesTable(result.differences)).toEqual([
      'proposed − baseline (mean over findings; class-sim over images), 95 % bootstrap interval over phantoms (2000 resamples); * = excludes 0',
      'method  metric         difference  interval',
      'ig      pointing          -0.5000  [-0.7500, -0.2500] *',
      'ig      energy-in-box     +0.0000  [-0.1250, +0.1250]',
      'ig      outside-body      +0.0313  [+0.0000, +0.0625]',
      'ig      class-sim               —  [—, —]',
      'ig      deletion          +0.0000  [+0.0000, +0.0000]',
      'ig      insertion         +0.1000  [+0.0500, +0.2000] *',
    ]);
  });
  it('signs every number, and never writes -0', () => {
    expect([signed(0.25), signed(-0.25), signed(-0.00001), signed(0), signed(NaN)]).toEqual(['+0.2500', '-0.2500', '+0.0000', '+0.0000', '—']);
  });
});

describe('formatBenchSummary', () => {
  it('names the accuracy set, the recorded figure, the phantoms, the settings and the method options', () => {
    const text = formatBenchSummary(result, { bundle: 'fixtures/b', recorded: { accuracy: 0.8, images: 5 }, milliseconds: 12_345 });
    expect(text).toContain('Envision phantom benchmark: fixtures/b\n');
    expect(text).toContain('zero-shot accuracy  0.7500 (3/4 held-out images with at most one finding, seeds 10–19; training.json records 0.8000 on 5)');
    expect(text).toContain('phantoms            2 with findings (3 findings), seeds 11, 13, 32×32 px');
    expect(text).toContain('pointing tolerance 2.14 px; deletion/insertion 16 steps');
    expect(text).toContain('\n  ig               {"steps":16}\n  guided-backprop  {}\n');
    expect(text).toContain('\n' + formatDifferencesTable(result.differences).join('\n') + '\n');
    expect(text.endsWith('wall time 12.3 s\n')).toBe(true);
    expect(formatBenchSummary(result, { bundle: 'b' })).not.toContain('training.json');
  });
  it('shortens long seed lists to a range', () => {
    expect(describeSeeds([1, 2, 5, 9, 12])).toBe('1–12');
    expect(describeSeeds([])).toBe('none');
  });
});
