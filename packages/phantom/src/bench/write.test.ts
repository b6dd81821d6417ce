import { describe, it, expect } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PhantomBenchResult } from './run.js';
import type { BenchScores } from './types.js';
import { BENCH_FILES, benchJsonText, writeBenchOutputs } from './write.js';

const s: BenchScores = { pointingGame: 1, energyInBox: 0.5, massOutsideBody: 0.125, classMapSimilarity: 0.9, deletionAuc: 0.2, insertionAuc: 0.6 };
const result = {
  json: { zeroShotAccuracy: 0.75, n: 1, methods: { ig: { baseline: s, proposed: s } } },
  zeroShot: { accuracy: 0.75, images: 4, correct: 3, perClass: {}, seeds: { first: 10, last: 19 } },
  settings: { methods: [{ id: 'ig', options: {} }], steps: 16, tolerance: 6.4, size: 8, seeds: [11], heldout: { first: 10, last: 19 }, classes: ['A'] },
  findings: [{ seed: 11, class: 'A', scores: { ig: { baseline: s, proposed: s } } }],
  images: [{ seed: 11, classes: ['A'], classMapSimilarity: { ig: { baseline: NaN, proposed: 0.5 } } }],
  examples: [
    {
      phantom: { seed: 11, size: 8, image: new Uint8Array(64), bodyMask: new Uint8Array(64), findings: [{ class: 'A', mask: new Uint8Array(64).fill(1), box: { x0: 0, y0: 0, x1: 8, y1: 8 } }] },
      maps: { ig: { baseline: { dtype: 'float32', shape: [1, 8, 8], data: new Float32Array(64).fill(1) }, proposed: { dtype: 'float32', shape: [1, 8, 8], data: new Float32Array(64).fill(2) } } },
    },
  ],
  milliseconds: { ig: 10 },
  differences: { resamples: 10, level: 0.95, seed: 0, methods: {} },
} as unknown as PhantomBenchResult;

describe('writeBenchOutputs', () => {
  it('writes bench.json (exactly the contract), findings.json, the figures and report.html, leaving no temporary file and no earlier figure', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'envision-bench-write-')), 'out');
    // an earlier benchmark's figure, and a file of the user's
    mkdirSync(join(dir, 'figures'), { recursive: true });
    writeFileSync(join(dir, 'figures', 'seed-99.png'), 'old');
    writeFileSync(join(dir, 'figures', 'notes.txt'), 'mine');
    const out = await writeBenchOutputs(dir, result, { bundle: 'b' });
    expect(readdirSync(join(dir, 'figures')).sort()).toEqual(['notes.txt', 'seed-11.png']);
    expect(out.json).toBe(join(dir, BENCH_FILES.json));
    expect(readFileSync(out.json, 'utf8')).toBe(benchJsonText(result) + '\n');
    expect(JSON.parse(readFileSync(out.json, 'utf8'))).toEqual(result.json);
    expect(benchJsonText(result)).toBe(JSON.stringify({ zeroShotAccuracy: 0.75, n: 1, methods: { ig: { baseline: s, proposed: s } } }));
    const details = JSON.parse(readFileSync(out.findings, 'utf8')) as { differences: unknown; images: { classMapSimilarity: { ig: { baseline: unknown } } }[] };
    expect(details.differences).toEqual(result.differences);
    expect(details.images[0]!.classMapSimilarity.ig.baseline).toBeNull();
    expect(out.figures).toEqual([join(dir, 'figures', 'seed-11.png')]);
    expect(existsSync(out.figures[0]!)).toBe(true);
    expect(readFileSync(out.report, 'utf8')).toContain('<img src="figures/seed-11.png" alt="seed 11: maps of A">');
    expect(readdirSync(dir).sort()).toEqual(['bench.json', 'figures', 'findings.json', 'report.html']);
  });
});
