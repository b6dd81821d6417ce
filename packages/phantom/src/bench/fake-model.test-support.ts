// Test support (not built, not shipped): a linear "vision model" e = W x, its exact gradient as an attribution method,
// and a VlmAdapter around it — small enough that every number the bench computes can be worked out by hand.
import { type VlmAdapter, corePlugins, type AttributionMethod, PluginRegistry, type Model, tensor, type Tensor } from '@envision/core';
import type { BenchModel } from './types.js';

/** The model e = W x on images of `shape` [C, H, W]; W has one row per embedding dimension, C·H·W columns. */
export function linearModel(W: readonly (readonly number[])[], shape: readonly [number, number, number]): Model {
  const n = shape[0] * shape[1] * shape[2];
  const m = W.length;
  return {
    inputs: [{ name: 'x', dtype: 'float32', shape: [1, ...shape] }],
    outputs: [{ name: 'e', dtype: 'float32', shape: [1, m] }],
    run(feeds) {
      const x = feeds.x as Tensor<'float32'>;
      const b = x.shape[0]!;
      const out = new Float32Array(b * m);
      for (let j = 0; j < b; j++) for (let i = 0; i < m; i++) for (let p = 0; p < n; p++) out[j * m + i]! += W[i]![p]! * x.data[j * n + p]!;
      return Promise.resolve({ e: tensor('float32', [b, m], out) });
    },
  };
}

/**
 * The exact gradient of target · e for e = W x: map_k = scale · Wᵀ target_k, `[K, C, H, W]`. Declared linear in its
 * target, or not (to force the `jacobian` strategy). Option `scale` (number, default 1).
 */
export function exactGradient(id: string, W: readonly (readonly number[])[], shape: readonly [number, number, number], linear = true): AttributionMethod {
  const n = shape[0] * shape[1] * shape[2];
  const m = W.length;
  return {
    meta: {
      id,
      kind: 'perturbation',
      linear,
      optionsSchema: { type: 'object', properties: { scale: { type: 'number' } }, additionalProperties: false },
      defaultOptions: { scale: 1 },
      description: 'Wᵀ target',
      paper: '-',
    },
    attribute({ target, options }) {
      const scale = (options as { scale?: number }).scale ?? 1;
      const k = target.shape[0]!;
      const maps = new Float32Array(k * n);
      for (let r = 0; r < k; r++) for (let p = 0; p < n; p++) for (let i = 0; i < m; i++) maps[r * n + p]! += scale * W[i]![p]! * target.data[r * m + i]!;
      return Promise.resolve({ maps: tensor('float32', [k, ...shape], maps) });
    },
  };
}

/** A VlmAdapter `fake` around `model` (input `x`, output `e`) whose text embeddings are `text(t)`. */
export function fakeAdapter(model: Model, text: (t: string) => readonly number[], logitScale: number): VlmAdapter {
  const m = model.outputs[0]!.shape[1] as number;
  return {
    id: 'fake',
    embeddingDim: m,
    logitScale,
    promptSets: {},
    vision: { model, input: 'x', output: 'e' },
    encodeImage: async (pixels: Tensor<'float32'>) => (await model.run({ x: pixels }, ['e'])).e as Tensor<'float32'>,
    encodeText: (texts: readonly string[]) => Promise.resolve(tensor('float32', [texts.length, m], Float32Array.from(texts.flatMap((t) => [...text(t)])))),
  } as unknown as VlmAdapter;
}

/** A registry with core's fusion rules and `methods` (from package `test`). */
export function registryWith(...methods: AttributionMethod[]): PluginRegistry {
  const r = new PluginRegistry();
  r.addPlugins(corePlugins, '@envision/core');
  for (const method of methods) r.add('method', method, 'test');
  return r;
}

/**
 * A BenchModel around a fake adapter: grey levels / 255 as pixels `[1, 1, size, size]`, and `logits(e)` of each image's
 * 2-d embedding as the classifier.
 */
export function fakeBench(adapter: VlmAdapter, size: number, logits: (e: Float32Array) => number[]): BenchModel {
  return {
    adapter,
    imageSize: size,
    preprocess: (grey, side) => tensor('float32', [1, 1, side, side], Float32Array.from(grey, (g) => g / 255)),
    async classify(pixels) {
      const e = (await adapter.vision.model.run({ x: pixels }, ['e'])).e!.data as Float32Array;
      return Array.from({ length: pixels.shape[0]! }, (_, j) => logits(e.subarray(2 * j, 2 * j + 2)));
    },
  };
}
