import type { FusionRule } from '../fusion.js';
import { tensor } from '@envision/onnx-grad';
import { type LogitKind, logits, logitsOption } from './logits.js';

/** Options of the `sigmoid` fusion rule. */
export interface SigmoidFusionOptions {
  /** @default 'cosine' */
  readonly logits: LogitKind;
}

/** σ(z) = 1 / (1 + e^(−z)), computed without overflow for large |z|. */
function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/**
 * SigLIP's per-pair probability: p_k = σ(s_k) with s_k = τ·cos(t_k, e) + b, each text on its own (no softmax over
 * the set), with cotangent ∂p_k/∂e = p_k (1 − p_k) c_k. Nonlinear, like `softmax`.
 */
export const sigmoidFusion: FusionRule<SigmoidFusionOptions> = {
  meta: {
    id: 'sigmoid',
    description: "Probability of each text on its own, σ(τ·cos + b): SigLIP's score.",
    linear: false,
    optionsSchema: { type: 'object', properties: { logits: logitsOption }, additionalProperties: false },
    defaultOptions: { logits: 'cosine' },
  },
  scores: (input) => Float32Array.from(logits(input, input.options.logits).scores, sigmoid),
  cotangents(input) {
    const { scores, cotangents, k, m } = logits(input, input.options.logits);
    const out = new Float32Array(k * m);
    for (let r = 0; r < k; r++) {
      const p = sigmoid(scores[r]!);
      for (let i = 0; i < m; i++) out[r * m + i] = p * (1 - p) * cotangents[r * m + i]!;
    }
    return tensor('float32', [k, m], out);
  },
};
