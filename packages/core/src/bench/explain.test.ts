import { describe, it, expect } from 'vitest';
import type { VlmAdapter } from '../adapter.js';
import { coreModule } from '../fusion-rules/index.js';
import type { AttributionMethod } from '../method.js';
import type { Model } from '../model.js';
import { PluginRegistry } from '../registry.js';
import { tensor, type Tensor } from '../tensor.js';
import { prepareApproaches } from './approaches.js';
import { explainImage, resolveBenchMethods } from './explain.js';

// A linear "vision model" on 2×2 two-channel images: e = W x with W = [[1, 0, 0, 0 | 1, 0, 0, 0], [0, 1, 0, 0 | 0, 0, 0, 0]]
// (channel 1 repeats pixel 0 into e_0).
const W = [
  [1, 0, 0, 0, 1, 0, 0, 0],
  [0, 1, 0, 0, 0, 0, 0, 0],
];
const model: Model = {
  inputs: [{ name: 'x', dtype: 'float32', shape: [1, 2, 2, 2] }],
  outputs: [{ name: 'e', dtype: 'float32', shape: [1, 2] }],
  run(feeds) {
    const x = feeds.x as Tensor<'float32'>;
    const b = x.shape[0]!;
    const out = new Float32Array(b * 2);
    for (let j = 0; j < b; j++) for (let i = 0; i < 2; i++) for (let p = 0; p < 8; p++) out[j * 2 + i]! += W[i]![p]! * x.data[j * 8 + p]!;
    return Promise.resolve({ e: tensor('float32', [b, 2], out) });
  },
};

/** The model's exact gradient: map_k = Wᵀ target_k. Linear in its target, or declared not to be (to force `jacobian`). */
function gradient(id: string, linear: boolean): AttributionMethod {
  return {
    meta: { id, kind: 'perturbation', linearInTarget: linear, optionsSchema: { type: 'object' }, defaultOptions: {}, description: 'Wᵀ target', paper: '-' },
    attribute({ target }) {
      const k = target.shape[0]!;
      const maps = new Float32Array(k * 8);
      for (let r = 0; r < k; r++) for (let p = 0; p < 8; p++) maps[r * 8 + p] = W[0]![p]! * target.data[r * 2]! + W[1]![p]! * target.data[r * 2 + 1]!;
      return Promise.resolve({ maps: tensor('float32', [k, 2, 2, 2], maps) });
    },
  };
}

const TEXT: Record<string, number[]> = { a1: [1, 0], a2: [0, 2], b: [3, 4] };
const adapter = {
  id: 'fake',
  embeddingDim: 2,
  logitScale: Math.log(2),
  promptSets: {},
  vision: { model, input: 'x', output: 'e' },
  encodeText: (texts: readonly string[]) => Promise.resolve(tensor('float32', [texts.length, 2], Float32Array.from(texts.flatMap((t) => TEXT[t]!)))),
} as unknown as VlmAdapter;

function registry(): PluginRegistry {
  const r = new PluginRegistry();
  r.addModule(coreModule, '@envision/core');
  r.add('method', gradient('grad', true), 'test');
  r.add('method', gradient('grad-nonlinear', false), 'test');
  return r;
}

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
    const strict: AttributionMethod = { ...gradient('strict', true), meta: { ...gradient('strict', true).meta, optionsSchema: { type: 'object', properties: { steps: { type: 'integer' } }, additionalProperties: false } } };
    r.add('method', strict, 'test');
    expect(() => resolveBenchMethods(r, [{ id: 'strict', options: { steps: 'x' } }])).toThrow(/method strict options: options.steps must be integer/);
  });
});
