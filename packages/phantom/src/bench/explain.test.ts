import { describe, it, expect } from 'vitest';
import { tensor } from '@envision/core';
import { prepareApproaches } from './approaches.js';
import { explainImage, resolveBenchMethods } from './explain.js';
import { exactGradient, fakeAdapter, linearModel, registryWith } from './fake-model.test-support.js';

// A linear "vision model" on 2×2 two-channel images: e = W x with W = [[1, 0, 0, 0 | 1, 0, 0, 0], [0, 1, 0, 0 | 0, 0, 0, 0]]
// (channel 1 repeats pixel 0 into e_0).
const W = [
  [1, 0, 0, 0, 1, 0, 0, 0],
  [0, 1, 0, 0, 0, 0, 0, 0],
];
const model = linearModel(W, [2, 2, 2]);
/** The model's exact gradient, declared linear in its target or not (to force `jacobian`). */
const gradient = (id: string, linear: boolean) => exactGradient(id, W, [2, 2, 2], linear);

const TEXT: Record<string, number[]> = { a1: [1, 0], a2: [0, 2], b: [3, 4] };
const adapter = fakeAdapter(model, (t) => TEXT[t]!, Math.log(2));
const registry = () => registryWith(gradient('grad', true), gradient('grad-nonlinear', false));

// x: pixel 0 = 1 (channel 0) + 2 (channel 1) → e_0 = 3; pixel 1 = 4 → e_1 = 4. e = [3, 4].
const pixels = tensor('float32', [1, 2, 2, 2], Float32Array.of(1, 4, 0, 0, 2, 0, 0, 0));
const e = Float32Array.of(3, 4);

describe('explainImage', () => {
  it('gives one channel-summed map per class for each approach (hand-computed)', async () => {
    const r = registry();
    const targets = await prepareApproaches(adapter, r, { A: ['a1', 'a2'], B: ['b'] });
    const [method] = resolveBenchMethods(r, [{ id: 'grad', options: {} }]);
    const maps = await explainImage(method!, targets, adapter.vision, pixels, e);
    // Channel sum of Wᵀc is [2 c_0, c_1, 0, 0] (pixel 0 is in both channels).
    // Baseline cotangents: A [−0.192, 0.144], B [0, 0]. Proposed: A [1, 1], B [1.2, 1.6].
    expect(maps.baseline.shape).toEqual([2, 2, 2]);
    expect([...maps.baseline.data].map((v) => +v.toFixed(6) + 0)).toEqual([-0.384, 0.144, 0, 0, 0, 0, 0, 0]);
    expect([...maps.proposed.data].map((v) => +v.toFixed(6) + 0)).toEqual([2, 1, 0, 0, 2.4, 1.6, 0, 0]);
  });

  it('fuses the per-dimension maps for a method that is not linear in its target, with the same result here', async () => {
    const r = registry();
    const targets = await prepareApproaches(adapter, r, { A: ['a1', 'a2'], B: ['b'] });
    const [linear, nonlinear] = resolveBenchMethods(r, [
      { id: 'grad', options: {} },
      { id: 'grad-nonlinear', options: {} },
    ]);
    expect(nonlinear!.linear).toBe(false);
    const a = await explainImage(linear!, targets, adapter.vision, pixels, e);
    const b = await explainImage(nonlinear!, targets, adapter.vision, pixels, e);
    for (const approach of ['baseline', 'proposed'] as const) {
      expect(b[approach].shape).toEqual(a[approach].shape);
      [...b[approach].data].forEach((v, i) => expect(v).toBeCloseTo(a[approach].data[i]!, 6));
    }
  });

  it('rejects unknown methods and bad options before any work', () => {
    const r = registry();
    expect(() => resolveBenchMethods(r, [{ id: 'nope', options: {} }])).toThrow(expect.objectContaining({ code: 'E_PLUGIN' }));
    expect(() => resolveBenchMethods(r, [{ id: 'grad', options: { scale: 'x' } }])).toThrow(/method grad options: options.scale must be number/);
  });
});
