import type { FusionRule } from '../fusion.js';
import { tensor } from '@envision/onnx-grad';
import { type LogitKind, logits, logitsOption } from './logits.js';

/** Options of the `softmax` fusion rule. */
export interface SoftmaxFusionOptions {
  /** @default 'cosine' */
  readonly logits: LogitKind;
}

/** Softmax over the texts of the target: p_k = exp(s_k) / Σ_j exp(s_j). */
function probabilities(s: Float64Array): Float64Array {
  const max = Math.max(...s);
  const e = s.map((v) => Math.exp(v - max));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}

/**
 * The probability of each text within the target's set: p_k = softmax(s)_k, with cotangent
 * ∂p_k/∂e = Σ_j p_k(δ_kj − p_j) c_j = p_k (c_k − Σ_j p_j c_j).
 */
export const softmaxFusion: FusionRule<SoftmaxFusionOptions> = {
  meta: {
    id: 'softmax',
    description: 'Probability of each text within the set (softmax of the logits).',
    linear: false,
    optionsSchema: { type: 'object', properties: { logits: logitsOption }, additionalProperties: false },
    defaultOptions: { logits: 'cosine' },
  },
  scores: (input) => Float32Array.from(probabilities(logits(input, input.options.logits).scores)),
  cotangents(input) {
    const { scores, cotangents, k, m } = logits(input, input.options.logits);
    const p = probabilities(scores);
    const mean = new Float64Array(m);
    for (let j = 0; j < k; j++) for (let i = 0; i < m; i++) mean[i]! += p[j]! * cotangents[j * m + i]!;
    const out = new Float32Array(k * m);
    for (let r = 0; r < k; r++) for (let i = 0; i < m; i++) out[r * m + i] = p[r]! * (cotangents[r * m + i]! - mean[i]!);
    return tensor('float32', [k, m], out);
  },
};
