import { describe, it, expect } from 'vitest';
import { generatePhantom } from '../phantom/generate.js';
import { PHANTOM_CLASSES } from '../phantom/types.js';
import { exactGradient, fakeAdapter, fakeBench, linearModel, registryWith } from './fake-model.test-support.js';
import { type PhantomBenchProgress, runPhantomBench } from './run.js';
import { BENCH_METRICS } from './types.js';

// A linear two-dimensional "model" on 64×64 phantoms: e = [mean of the left half, mean of the right half]. The
// method's maps are its gradient times n/2 = 2048 (the sides' indicators weighted by the target), times option `scale`.
const SIZE = 64;
const side = (p: number) => ((p % SIZE) < SIZE / 2 ? 0 : 1);
const indicators = [0, 1].map((s) => Array.from({ length: SIZE * SIZE }, (_, p) => (side(p) === s ? 1 : 0)));
const model = linearModel(indicators.map((row) => row.map((v) => v / (SIZE * SIZE / 2))), [1, SIZE, SIZE]);
const gradient = exactGradient('grad', indicators, [1, SIZE, SIZE]);
const classes = Object.fromEntries([...PHANTOM_CLASSES, 'No Finding'].map((c) => [c, [c]]));
const names = Object.keys(classes);
const angle = (text: string) => names.indexOf(text) * 0.4;
const adapter = fakeAdapter(model, (t) => [Math.cos(angle(t)), Math.sin(angle(t))], Math.log(10));
const bench = fakeBench(adapter, SIZE, ([a, b]) => {
  const norm = Math.hypot(a!, b!) || 1;
  return names.map((t) => (10 * (Math.cos(angle(t)) * a! + Math.sin(angle(t)) * b!)) / norm);
});

const registry = () => registryWith(gradient);

const heldout = { first: 500, last: 540 };

describe('runPhantomBench', () => {
  it('walks the held-out seeds, counts the accuracy set, benchmarks n phantoms with findings: the JSON contract', async () => {
    const events: PhantomBenchProgress[] = [];
    const r = await runPhantomBench({ model: bench, registry: registry(), classes, heldout, n: 2, methods: [{ id: 'grad', options: {} }], accuracySeeds: 6, steps: 4, keepMaps: 1, onProgress: (e) => events.push(e) });
    expect(r.json.n).toBe(2);
    expect(Object.keys(r.json.methods)).toEqual(['grad']);
    // The paired differences' means are the differences of the contract's means (another path to the same numbers).
    for (const k of ['pointingGame', 'energyInBox', 'massOutsideBody', 'classMapSimilarity', 'deletionAuc', 'insertionAuc'] as const) {
      const d = r.differences.methods.grad![k];
      expect(d.mean).toBeCloseTo(r.json.methods.grad!.proposed[k] - r.json.methods.grad!.baseline[k], 12);
      expect(d.low).toBeLessThanOrEqual(d.high);
    }
    for (const approach of ['baseline', 'proposed'] as const) {
      const s = r.json.methods.grad![approach];
      expect(Object.keys(s)).toEqual([...BENCH_METRICS]);
      for (const k of ['pointingGame', 'energyInBox', 'massOutsideBody', 'deletionAuc', 'insertionAuc'] as const) {
        expect(s[k]).toBeGreaterThanOrEqual(0);
        expect(s[k]).toBeLessThanOrEqual(1);
      }
      expect(Math.abs(s.classMapSimilarity)).toBeLessThanOrEqual(1);
    }
    // The bench phantoms are the first two seeds with findings; the accuracy set is seeds 500–505, ≤ 1 finding.
    const withFindings: number[] = [];
    let counted = 0;
    for (let s = heldout.first; withFindings.length < 2 || s <= 505; s++) {
      const p = generatePhantom(s, { size: SIZE });
      if (p.findings.length > 0 && withFindings.length < 2) withFindings.push(s);
      if (s <= 505 && p.findings.length <= 1) counted++;
    }
    expect(r.settings.seeds).toEqual(withFindings);
    expect(r.zeroShot.seeds).toEqual({ first: 500, last: 505 });
    expect(r.zeroShot.images).toBe(counted);
    expect(r.json.zeroShotAccuracy).toBe(r.zeroShot.correct / r.zeroShot.images);
    expect(r.findings.length).toBeGreaterThanOrEqual(2);
    expect(r.settings).toMatchObject({ steps: 4, size: SIZE, tolerance: (15 * SIZE) / 224, methods: [{ id: 'grad', options: { scale: 1 } }] });
    expect(r.examples).toHaveLength(1);
    expect(events.filter((e) => e.kind === 'method')).toHaveLength(2);
    expect(events.some((e) => e.kind === 'walk')).toBe(true);
  });

  it('is deterministic', async () => {
    const run = () => runPhantomBench({ model: bench, registry: registry(), classes, heldout, n: 1, methods: [{ id: 'grad', options: {} }], accuracySeeds: 3, steps: 2 });
    expect(JSON.stringify((await run()).json)).toBe(JSON.stringify((await run()).json));
  });

  it('rejects bad methods and settings before walking', async () => {
    const walked: PhantomBenchProgress[] = [];
    const base = { model: bench, registry: registry(), classes, heldout, n: 1, methods: [{ id: 'grad', options: {} }], onProgress: (e: PhantomBenchProgress) => walked.push(e) };
    await expect(runPhantomBench({ ...base, methods: [{ id: 'gard', options: {} }] })).rejects.toMatchObject({ code: 'E_PLUGIN', message: expect.stringContaining('grad') });
    await expect(runPhantomBench({ ...base, methods: [{ id: 'grad', options: { scale: 'big' } }] })).rejects.toThrow(/method grad options: options.scale must be number/);
    await expect(runPhantomBench({ ...base, n: 0 })).rejects.toThrow(/n must be an integer ≥ 1, got 0/);
    await expect(runPhantomBench({ ...base, steps: 0 })).rejects.toThrow(/steps must be an integer ≥ 1/);
    await expect(runPhantomBench({ ...base, tolerance: -1 })).rejects.toThrow(/tolerance must be a number ≥ 0/);
    await expect(runPhantomBench({ ...base, classes: { A: ['a'] } })).rejects.toThrow(/at least two classes/);
    expect(walked).toEqual([]);
  });
});
