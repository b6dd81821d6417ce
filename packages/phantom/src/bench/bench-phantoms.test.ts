import { describe, it, expect } from 'vitest';
import { tensor } from '@envision/core';
import { prepareApproaches } from './approaches.js';
import { benchPhantoms, classProbabilityScorer } from './bench-phantoms.js';
import { resolveBenchMethods } from './explain.js';
import { exactGradient, fakeAdapter, fakeBench, linearModel, registryWith } from './fake-model.test-support.js';
import type { BenchModel, BenchPhantom } from './types.js';

// A 4×4 one-channel world. The finding covers pixels 5 and 6 (box {1,1,3,2}); the body is columns 1–2.
// The "vision model" is e = W x with W_0 = the finding's indicator and W_1 = the rest, so e = [Σ finding, Σ rest].
// Class A's text is [1, 0], class B's [0, 1]; τ = exp(ln 2) = 2.
const SIZE = 4;
const inFinding = (p: number) => p === 5 || p === 6;
const W = [0, 1].map((i) => Array.from({ length: 16 }, (_, p) => (inFinding(p) === (i === 0) ? 1 : 0)));
const model = linearModel(W, [1, SIZE, SIZE]);
const gradient = exactGradient('grad', W, [1, SIZE, SIZE]);
const TEXT: Record<string, number[]> = { A: [1, 0], B: [0, 1] };
const adapter = fakeAdapter(model, (t) => TEXT[t]!, Math.log(2));
/** PromptClassifier logits: τ · cos(t_c, e) (0 for e = 0). */
function logits(e: ArrayLike<number>): number[] {
  const norm = Math.hypot(e[0]!, e[1]!);
  return [0, 1].map((c) => (norm > 0 ? (2 * e[c]!) / norm : 0));
}
const bench: BenchModel = fakeBench(adapter, SIZE, logits);
const mask = Uint8Array.from({ length: 16 }, (_, p) => (inFinding(p) ? 1 : 0));
const phantom: BenchPhantom = {
  seed: 7,
  size: SIZE,
  image: new Uint8Array(16).fill(255),
  bodyMask: Uint8Array.from({ length: 16 }, (_, p) => (p % 4 === 1 || p % 4 === 2 ? 1 : 0)),
  findings: [{ class: 'A', mask, box: { x0: 1, y0: 1, x1: 3, y1: 2 } }],
};

async function setup() {
  const registry = registryWith(gradient);
  const targets = await prepareApproaches(adapter, registry, { A: ['A'], B: ['B'] });
  return { targets, methods: resolveBenchMethods(registry, [{ id: 'grad', options: {} }]) };
}

const softmaxA = (e: [number, number]) => {
  const [a, b] = logits(e);
  return 1 / (1 + Math.exp(b! - a!));
};

describe('classProbabilityScorer', () => {
  it('scores a batch with the softmax over the class logits', async () => {
    const score = classProbabilityScorer(bench, [1, SIZE, SIZE], 0);
    const ones = new Float32Array(16).fill(1);
    expect(await score([ones, new Float32Array(16)])).toEqual([softmaxA([2, 14]), 0.5]);
  });
});

describe('benchPhantoms', () => {
  it('scores the map of the finding class against its mask, box and the body (hand-computed)', async () => {
    const { targets, methods } = await setup();
    const events: string[] = [];
    const r = await benchPhantoms({
      model: bench,
      targets,
      classes: ['A', 'B'],
      phantoms: [phantom],
      methods,
      steps: 2,
      tolerance: 0,
      keepMaps: 1,
      onMethodDone: (e) => events.push(`${e.index}/${e.total} ${e.seed} ${e.classes.join('+')} ${e.method}`),
    });
    expect(events).toEqual(['1/1 7 A grad']);
    expect(r.findings).toHaveLength(1);
    const { baseline, proposed } = r.findings[0]!.scores.grad!;
    // Proposed: map_A = τ·W_0, all of it on the finding.
    expect(proposed.pointingGame).toBe(1);
    expect(proposed.energyInBox).toBe(1);
    expect(proposed.massOutsideBody).toBe(0);
    // Baseline: cotangent (τ/‖e‖)(t̂_A − cos·ê) at e = [2, 14] is k·[0.98, −0.14]: positive on the finding, negative on
    // the 14 other pixels, 8 of them outside the body: |m| outside = 8 · 0.14 / (2 · 0.98 + 14 · 0.14) = 2/7.
    expect(baseline.pointingGame).toBe(1);
    expect(baseline.energyInBox).toBe(1);
    expect(baseline.massOutsideBody).toBeCloseTo(2 / 7, 6);
    // Both maps order the pixels alike (finding first, then row-major), so the curves agree. Deletion, 2 steps:
    // e = [2, 14] → [0, 8] (finding and 6 more deleted) → 0; the AUC of p_A by the trapezoidal rule.
    const deletion = 0.5 * ((softmaxA([2, 14]) + softmaxA([0, 8])) / 2) + 0.5 * ((softmaxA([0, 8]) + 0.5) / 2);
    // Insertion: 0 → [2, 6] (finding and pixels 0–4, 7 inserted) → [2, 14].
    const insertion = 0.5 * ((0.5 + softmaxA([2, 6])) / 2) + 0.5 * ((softmaxA([2, 6]) + softmaxA([2, 14])) / 2);
    for (const s of [baseline, proposed]) {
      expect(s.deletionAuc).toBeCloseTo(deletion, 6);
      expect(s.insertionAuc).toBeCloseTo(insertion, 6);
    }
    // A's and B's maps are each other's negatives up to scale (proposed: W_0 vs W_1): Spearman −1.
    expect(r.images[0]!.classMapSimilarity.grad!.proposed).toBeCloseTo(-1, 12);
    expect(r.images[0]!.classMapSimilarity.grad!.baseline).toBeCloseTo(-1, 12);
    expect(r.examples).toHaveLength(1);
    expect(r.examples[0]!.maps.grad!.proposed.shape).toEqual([2, SIZE, SIZE]);
    expect(Object.keys(r.milliseconds)).toEqual(['grad']);
  });

  it('rejects a finding class without prompts, and a phantom of another size than the model input', async () => {
    const { targets, methods } = await setup();
    const base = { model: bench, targets, classes: ['A', 'B'], methods, steps: 2, tolerance: 0 };
    const other = { ...phantom, findings: [{ ...phantom.findings[0]!, class: 'Nodule' }] };
    await expect(benchPhantoms({ ...base, phantoms: [other] })).rejects.toThrow(/finding 'Nodule' of phantom 7 has no prompts \(classes: A, B\)/);
    const big = { ...phantom, size: 8, image: new Uint8Array(64), bodyMask: new Uint8Array(64) };
    const wrongModel = { ...bench, preprocess: () => tensor('float32', [1, 1, SIZE, SIZE], new Float32Array(16)) };
    await expect(benchPhantoms({ ...base, model: wrongModel, phantoms: [big] })).rejects.toThrow(/model's input is \[1, 1, 4, 4\] but phantom 7 is 8×8/);
  });
});
