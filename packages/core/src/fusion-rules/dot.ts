import type { FusionInput, FusionRule } from '../fusion.js';
import { tensor } from '@envision/onnx-grad';

/** Options of the `dot` fusion rule. */
export interface DotFusionOptions {
  /**
   * Use the L2-normalised text embedding t̂_k (as MedCLIP's logits do) instead of the raw one.
   * @default true
   */
  readonly normalizeText: boolean;
}

/** Divides each row of a `[K, M]` matrix by its L2 norm (a zero row stays zero). */
export function normalizeRows(data: Float32Array, k: number, m: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < k; r++) {
    let norm = 0;
    for (let i = 0; i < m; i++) norm += data[r * m + i]! ** 2;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let i = 0; i < m; i++) out[r * m + i] = data[r * m + i]! * scale;
  }
  return out;
}

function weights(input: FusionInput<DotFusionOptions>): Float32Array {
  const [k, m] = input.textEmbeddings.shape as [number, number];
  const t = input.options.normalizeText ? normalizeRows(input.textEmbeddings.data, k, m) : input.textEmbeddings.data;
  const tau = Math.exp(input.logitScale);
  return t.map((v) => v * tau);
}

/**
 * The paper's fusion ("Envisioning MedCLIP", step 3): s_k = τ · ⟨t_k, e⟩ with τ = exp(logitScale) and, by default,
 * the normalised text embedding t̂_k. Linear in e, so its cotangent c_k = τ · t_k does not depend on the image.
 */
export const dotFusion: FusionRule<DotFusionOptions> = {
  meta: {
    id: 'dot',
    description: 'Temperature-scaled dot product of the image embedding with each (normalised) text embedding.',
    linear: true,
    optionsSchema: {
      type: 'object',
      properties: { normalizeText: { type: 'boolean', description: 'Normalise the text embedding first.' } },
      additionalProperties: false,
    },
    defaultOptions: { normalizeText: true },
  },
  scores(input) {
    const [k, m] = input.textEmbeddings.shape as [number, number];
    const w = weights(input);
    const s = new Float32Array(k);
    for (let r = 0; r < k; r++) {
      let acc = 0;
      for (let i = 0; i < m; i++) acc += w[r * m + i]! * input.imageEmbedding[i]!;
      s[r] = acc;
    }
    return s;
  },
  cotangents(input) {
    return tensor('float32', input.textEmbeddings.shape, weights(input));
  },
};
