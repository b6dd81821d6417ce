import type { FusionRule } from '../fusion.js';
import { tensor } from '@envision/onnx-grad';
import { logits } from './logits.js';

/**
 * The model's true logit: s_k = τ · cos(t_k, e) + b (b = 0 but for SigLIP), through the normalisation of the image
 * embedding, so its cotangent c_k = (τ/‖e‖)(t̂_k − ⟨t̂_k, ê⟩ ê) depends on e (not linear).
 */
export const cosineFusion: FusionRule<Record<string, never>> = {
  meta: {
    id: 'cosine',
    description: "The model's logit: temperature-scaled cosine similarity of image and text embeddings.",
    linear: false,
    optionsSchema: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
  },
  scores: (input) => Float32Array.from(logits(input, 'cosine').scores),
  cotangents(input) {
    const { cotangents, k, m } = logits(input, 'cosine');
    return tensor('float32', [k, m], Float32Array.from(cotangents));
  },
};
