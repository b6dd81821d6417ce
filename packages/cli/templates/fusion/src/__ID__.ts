import { type FusionInput, type FusionRule, tensor } from '@envision/core';

/** Options of the `__ID__` fusion rule. */
export interface __TYPE__Options {
  /**
   * What each text is measured against: the most similar other text (`max`) or the mean of the others (`mean`).
   * @default 'max'
   */
  readonly against: 'max' | 'mean';
}

/**
 * A margin between prompts: s_k = τ · (cos_k − c_k), where cos_k = cos(t_k, e), τ = exp(logitScale), and c_k is the
 * largest (or the mean) cosine of the other texts — "why this finding rather than the others". With one text, s = τ·cos.
 * Its cotangent rows are exact: ∂cos_k/∂e = (t̂_k − cos_k ê) / ‖e‖, so c_k = τ · (∂cos_k/∂e − ∂c_k/∂e), where ∂c_k/∂e
 * is the gradient of the chosen competitor (or the mean of theirs).
 */
export const __IDENT__: FusionRule<__TYPE__Options> = {
  meta: {
    id: '__ID__',
    description: 'Margin of each text over the others: τ·(cos_k − max or mean of the other cosines).',
    paper: 'A contrastive target in the manner of Grad-CAM\'s counterfactual explanations: Selvaraju et al. (2017), Grad-CAM, ICCV.',
    linear: false,
    optionsSchema: {
      type: 'object',
      properties: { against: { enum: ['max', 'mean'], description: 'Compare with the best other text or the mean of the others.' } },
      additionalProperties: false,
    },
    defaultOptions: { against: 'max' },
  },
  scores(input) {
    return Float32Array.from(margins(input).scores);
  },
  cotangents(input) {
    const { cotangents, k, m } = margins(input);
    return tensor('float32', [k, m], Float32Array.from(cotangents));
  },
};

/** The scores and their cotangent rows (K × M, row-major), in float64. */
function margins(input: FusionInput<__TYPE__Options>): { scores: Float64Array; cotangents: Float64Array; k: number; m: number } {
  const [k, m] = input.textEmbeddings.shape as [number, number];
  const tau = Math.exp(input.logitScale);
  const { cos, grad } = cosines(input.imageEmbedding, input.textEmbeddings.data, k, m);
  const scores = new Float64Array(k);
  const cotangents = new Float64Array(k * m);
  for (let r = 0; r < k; r++) {
    // The competitors of text r and their weights in c_r.
    const others = [...Array(k).keys()].filter((j) => j !== r);
    let weights: [number, number][] = [];
    if (others.length > 0 && input.options.against === 'max') {
      weights = [[others.reduce((best, j) => (cos[j]! > cos[best]! ? j : best)), 1]];
    } else if (others.length > 0) {
      weights = others.map((j) => [j, 1 / others.length]);
    }
    scores[r] = tau * (cos[r]! - weights.reduce((acc, [j, w]) => acc + w * cos[j]!, 0));
    for (let i = 0; i < m; i++) {
      cotangents[r * m + i] = tau * (grad[r * m + i]! - weights.reduce((acc, [j, w]) => acc + w * grad[j * m + i]!, 0));
    }
  }
  return { scores, cotangents, k, m };
}

/** cos_k = ⟨t̂_k, ê⟩ and its gradient (t̂_k − cos_k ê) / ‖e‖ for each text row (a zero vector has cosine 0). */
function cosines(e: Float32Array, t: Float32Array, k: number, m: number): { cos: Float64Array; grad: Float64Array } {
  const norm = Math.hypot(...e);
  const cos = new Float64Array(k);
  const grad = new Float64Array(k * m);
  for (let r = 0; r < k; r++) {
    const row = t.subarray(r * m, (r + 1) * m);
    const rowNorm = Math.hypot(...row);
    if (norm === 0 || rowNorm === 0) continue;
    let dot = 0;
    for (let i = 0; i < m; i++) dot += row[i]! * e[i]!;
    cos[r] = dot / (rowNorm * norm);
    for (let i = 0; i < m; i++) grad[r * m + i] = (row[i]! / rowNorm - (cos[r]! * e[i]!) / norm) / norm;
  }
  return { cos, grad };
}
