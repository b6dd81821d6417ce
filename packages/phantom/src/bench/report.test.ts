import { describe, it, expect } from 'vitest';
import { pairedDifferences } from './paired.js';
import { renderBenchReport } from './report.js';
import type { PhantomBenchResult } from './run.js';
import type { BenchScores, FindingScores } from './types.js';

const f = (pointingGame: number, energyInBox: number): FindingScores => ({ pointingGame, energyInBox, massOutsideBody: 0.1, deletionAuc: 0.2, insertionAuc: 0.6 });
const s = (pointingGame: number): BenchScores => ({ pointingGame, energyInBox: 0.5, massOutsideBody: 0.125, classMapSimilarity: 0.9, deletionAuc: 0.2, insertionAuc: 0.6 });
const result = {
  json: { zeroShotAccuracy: 0.75, n: 2, methods: { ig: { baseline: s(0.5), proposed: s(1) } } },
  zeroShot: { accuracy: 0.75, images: 4, correct: 3, perClass: { 'A<b>': { images: 2, correct: 2 }, 'No Finding': { images: 2, correct: 1 } }, seeds: { first: 10, last: 19 } },
  settings: { methods: [{ id: 'ig', options: { steps: 16, baseline: '<x>' } }], steps: 16, tolerance: 6.4, size: 32, seeds: [11, 13], heldout: { first: 10, last: 19 }, classes: ['A<b>', 'B', 'No Finding'] },
  findings: [
    { seed: 11, class: 'A<b>', scores: { ig: { baseline: f(1, 0.25), proposed: f(1, 0.75) } } },
    { seed: 13, class: 'A<b>', scores: { ig: { baseline: f(0, 0.5), proposed: f(1, 0.25) } } },
    { seed: 13, class: 'B', scores: { ig: { baseline: f(0, 0.125), proposed: f(0, 0.5) } } },
  ],
  images: [],
  examples: [],
  milliseconds: { ig: 2500 },
} as unknown as PhantomBenchResult;
// Pointing differences: phantom 11 has 0, phantom 13 has 1 and 0; draws give 0, 1/3 or 1/2, so the interval is [0, 1/2].
// Energy-in-box: 11 has +0.5, 13 has −0.25 and +0.375 (mean 0.0625); draws give 0.5, 0.208 or 0.0625: [+0.0625, +0.5].
Object.assign(result, { differences: pairedDifferences(result.findings, result.images, ['ig'], { resamples: 1000 }) });

describe('renderBenchReport', () => {
  const html = renderBenchReport(result, { bundle: 'fixtures/<bundle>', recorded: { accuracy: 0.8, images: 5 }, milliseconds: 60_000 }, [{ title: 'seed 11: A', png: 'figures/seed-11.png' }]);

  it('holds the results table: one row per method and approach, the six metrics', () => {
    const results = /<table class="metrics bench-results">[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
    expect(results).toContain('<th scope="col">pointing ↑</th>');
    expect(results).toContain('<th scope="col">class-sim ↓</th>');
    expect(results).toContain('<tr><th scope="row">ig</th><td>baseline</td><td class="num">0.5</td><td class="num">0.5</td><td class="num">0.125</td><td class="num">0.9</td><td class="num">0.2</td><td class="num">0.6</td></tr>');
    expect(results).toContain('<tr><th scope="row">ig</th><td>proposed</td><td class="num">1</td>');
  });
  it('holds the paired differences with their intervals, bold where the interval excludes 0', () => {
    const differences = /<table class="metrics bench-differences">[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
    expect(differences).toContain('<th scope="col">pointing ↑</th>');
    expect(differences).toContain('<tr><th scope="row">ig</th><td class="num">+0.3333 [+0.0000, +0.5000]</td><td class="num"><b>+0.2083 [+0.0625, +0.5000]</b></td>');
    expect(html).toContain('95 % percentile bootstrap interval resampling phantoms (1000 resamples, seed 0)');
  });
  it('breaks pointing game and energy-in-box down by class (hand-computed means)', () => {
    expect(html).toContain('<th scope="col">A&lt;b&gt; (2)</th><th scope="col">B (1)</th>');
    // pointing game, baseline: A (1 + 0) / 2 = 0.5, B 0; energy-in-box, proposed: A (0.75 + 0.25) / 2 = 0.5, B 0.5
    expect(html).toContain('<tr><th scope="row">ig</th><td>baseline</td><td class="num">0.5</td><td class="num">0</td></tr>');
    expect(html).toContain('<tr><th scope="row">ig</th><td>proposed</td><td class="num">0.5</td><td class="num">0.5</td></tr>');
  });
  it('states the accuracy set, the recorded figure, the options and the figures, escaping all text', () => {
    expect(html).toContain('0.7500 (3 of 4 held-out images with at most one finding, seeds 10–19)');
    expect(html).toContain('0.8000 on 5 images');
    expect(html).toContain('<code>{&quot;steps&quot;:16,&quot;baseline&quot;:&quot;&lt;x&gt;&quot;}</code>');
    expect(html).toContain('<img src="figures/seed-11.png" alt="seed 11: A">');
    expect(html).toContain('<code>fixtures/&lt;bundle&gt;</code>');
    for (const raw of ['A<b>', '<x>', '<bundle>']) expect(html).not.toContain(raw);
    expect(html).not.toContain('<script');
  });
});
