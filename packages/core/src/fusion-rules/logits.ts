import type { FusionInput } from '../fusion.js';
import { normalizeRows } from './dot.js';

/**
 * Which similarity a rule builds on: `cosine`, the model's logit τ·cos(t, e) + b, or `dot`, the paper's τ·⟨t̂, e⟩
 * (t̂ normalised, e not).
 */
export type LogitKind = 'cosine' | 'dot';

/** Scores s_k and their cotangent rows c_k = ∂s_k/∂e (K × M, row-major), in float64. */
export interface Logits {
  /** s_k, one per text row, length K. */
  readonly scores: Float64Array;
  /** c_k = ∂s_k/∂e, K rows of M, row-major: row k is `cotangents.subarray(k * m, (k + 1) * m)`. */
  readonly cotangents: Float64Array;
  /** Number of texts K. */
  readonly k: number;
  /** Embedding width M. */
  readonly m: number;
}

/**
 * The per-text logits and their gradients with respect to the image embedding e, with τ = exp(`logitScale`) and
 * t̂_k the normalised text embedding — the building block of the `cosine`, `softmax`, `sigmoid` and `contrast` rules,
 * exported for fusion rules of your own (a plugin combines the scores and, by the chain rule, the cotangent rows):
 * - `dot`: s_k = τ⟨t̂_k, e⟩, c_k = τ t̂_k;
 * - `cosine`: s_k = τ⟨t̂_k, ê⟩ + b with ê = e/‖e‖, c_k = (τ/‖e‖)(t̂_k − ⟨t̂_k, ê⟩ ê) (the model's logits: MedCLIP's and
 *   CLIP's with b = 0, SigLIP's with its `logit_bias` b). A zero embedding gives s_k = b and c_k = 0.
 *
 * A margin over the best other text, for example: s_k − s_j and c_k − c_j with j the largest other score (see
 * `docs/plugins/fusion.md`).
 *
 * @param input - the fusion input (image embedding, text embeddings `[K, M]`, `logitScale`, `logitBias`)
 * @param kind - `cosine` or `dot`
 * @returns scores and cotangent rows in float64
 */
export function logits(input: FusionInput<unknown>, kind: LogitKind): Logits {
  const [k, m] = input.textEmbeddings.shape as [number, number];
  const t = normalizeRows(input.textEmbeddings.data, k, m);
  const tau = Math.exp(input.logitScale);
  const bias = input.logitBias ?? 0;
  const e = input.imageEmbedding;
  const scores = new Float64Array(k);
  const cotangents = new Float64Array(k * m);
  let norm = 0;
  for (let i = 0; i < m; i++) norm += e[i]! * e[i]!;
  norm = Math.sqrt(norm);
  for (let r = 0; r < k; r++) {
    let dot = 0;
    for (let i = 0; i < m; i++) dot += t[r * m + i]! * e[i]!;
    if (kind === 'dot') {
      scores[r] = tau * dot;
      for (let i = 0; i < m; i++) cotangents[r * m + i] = tau * t[r * m + i]!;
    } else {
      const cos = norm > 0 ? dot / norm : 0;
      scores[r] = tau * cos + bias;
      const scale = norm > 0 ? tau / norm : 0;
      for (let i = 0; i < m; i++) cotangents[r * m + i] = scale * (t[r * m + i]! - (cos * e[i]!) / (norm || 1));
    }
  }
  return { scores, cotangents, k, m };
}

/**
 * JSON Schema of a `logits: cosine | dot` option, shared by the rules built on {@link logits}; put it in a rule's
 * schema as `optionsSchema: { type: 'object', properties: { logits: logitsOption } }`.
 */
export const logitsOption = {
  enum: ['cosine', 'dot'],
  description: "The per-text score: 'cosine' (the model's logit, τ·cos + b) or 'dot' (the paper's τ·⟨t̂, e⟩).",
} as const;
