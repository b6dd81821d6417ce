import { describe, it, expect } from 'vitest';
import { tensor, type DifferentiableModel, type Model } from '@envision/onnx-grad';
import { checkEmbeddings, checkLoadedAdapter } from './adapter-check.js';
import type { VlmAdapter } from './adapter.js';

const forwardOnly: Model = {
  inputs: [{ name: 'pixel_values', dtype: 'float32', shape: ['batch', 3, 4, 4] }],
  outputs: [{ name: 'image_embeds', dtype: 'float32', shape: ['batch', 8] }],
  run: () => Promise.reject(new Error('not called')),
};
const differentiable = { ...forwardOnly, vjp: () => Promise.reject(new Error('not called')), layer: () => undefined } as unknown as DifferentiableModel;

function adapter(overrides: Record<string, unknown> = {}): VlmAdapter {
  return {
    id: 'toy',
    embeddingDim: 8,
    logitScale: Math.log(100),
    vision: { model: differentiable, input: 'pixel_values', output: 'image_embeds' },
    preprocessImage: () => Promise.reject(new Error('not called')),
    encodeImage: () => Promise.reject(new Error('not called')),
    encodeText: () => Promise.reject(new Error('not called')),
    ...overrides,
  } as VlmAdapter;
}
const origin = { id: 'toy', packageName: 'envision-adapter-toy' };

describe('checking a loaded adapter', () => {
  it('accepts an adapter that keeps the contract, with or without gradient methods', () => {
    expect(() => checkLoadedAdapter(adapter(), origin, ['ig'])).not.toThrow();
    expect(() => checkLoadedAdapter(adapter({ vision: { model: forwardOnly, input: 'pixel_values', output: 'image_embeds' } }), origin, [])).not.toThrow();
  });

  it('says a forward-only vision model cannot serve gradient methods, and how to load one that can', () => {
    expect(() => checkLoadedAdapter(adapter({ vision: { model: forwardOnly, input: 'pixel_values', output: 'image_embeds' } }), origin, ['ig', 'saliency'])).toThrow(
      "adapter 'toy' (envision-adapter-toy): the vision model has no gradients, which ig, saliency need: load it with DifferentiableOnnxModel.load(file) instead of OnnxModel.load",
    );
  });

  it('compares embeddingDim with the width the vision output declares', () => {
    expect(() => checkLoadedAdapter(adapter({ embeddingDim: 512 }), origin)).toThrow(
      "adapter 'toy' (envision-adapter-toy): the vision output 'image_embeds' is [batch, 8] but embeddingDim is 512: they must agree",
    );
    const symbolic = { ...differentiable, outputs: [{ name: 'image_embeds', dtype: 'float32', shape: ['batch', 'dim'] }] };
    expect(() => checkLoadedAdapter(adapter({ embeddingDim: 512, vision: { model: symbolic, input: 'pixel_values', output: 'image_embeds' } }), origin)).not.toThrow();
  });

  it('names missing tensors, functions and bad numbers with what would be valid', () => {
    expect(() => checkLoadedAdapter(adapter({ vision: { model: differentiable, input: 'pixels', output: 'image_embeds' } }), origin)).toThrow(
      "vision.input 'pixels' is not an input of the vision model (inputs: pixel_values)",
    );
    expect(() => checkLoadedAdapter(adapter({ vision: { model: differentiable, input: 'pixel_values', output: 'embeds' } }), origin)).toThrow(
      "vision.output 'embeds' is not an output of the vision model (outputs: image_embeds)",
    );
    expect(() => checkLoadedAdapter(adapter({ vision: { model: {}, input: 'pixel_values', output: 'image_embeds' } }), origin)).toThrow('vision.model must be a loaded model');
    expect(() => checkLoadedAdapter(adapter({ encodeText: undefined }), origin)).toThrow('the loaded adapter has no encodeText() function');
    expect(() => checkLoadedAdapter(adapter({ embeddingDim: 0 }), origin)).toThrow('embeddingDim must be a positive integer, got 0');
    expect(() => checkLoadedAdapter(adapter({ logitScale: Number.NaN }), origin)).toThrow('logitScale must be a finite number');
    expect(() => checkLoadedAdapter(undefined as unknown as VlmAdapter, origin)).toThrow('load() must resolve to a VlmAdapter object, got undefined');
  });

  it('checks embeddings for their row count and width', () => {
    const a = adapter();
    expect(checkEmbeddings(tensor('float32', [2, 8], new Float32Array(16)), 2, a, 'encodeText').shape).toEqual([2, 8]);
    expect(() => checkEmbeddings(tensor('float32', [1, 7], new Float32Array(7)), 1, a, 'encodeImage')).toThrow(
      "adapter 'toy': encodeImage returned float32 [1, 7] for 1 image, expected float32 [1, 8] (embeddingDim 8)",
    );
    expect(() => checkEmbeddings(tensor('float32', [8], new Float32Array(8)), 3, a, 'encodeText')).toThrow('encodeText returned float32 [8] for 3 texts, expected float32 [3, 8]');
    expect(() => checkEmbeddings(tensor('float64', [1, 8], new Float64Array(8)), 1, a, 'encodeImage')).toThrow('encodeImage returned float64 [1, 8]');
  });
});
