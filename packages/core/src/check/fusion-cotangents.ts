import type { FusionInput, FusionRule } from '../fusion.js';
import { tensor } from '@envision/onnx-grad';

/**
 * Checks a fusion rule's cotangent rows against central finite differences of its scores with respect to the image
 * embedding: for every entry e_i, (s_r(e + ε·u_i) − s_r(e − ε·u_i)) / 2ε against c_r[i].
 *
 * The scores are float32, so each difference carries a rounding error of about 6e-8·|s|/ε; with ε = 1e-3 and scores of
 * order τ ≈ 14 that is ~1e-3 of the largest cotangent entry at worst, and the truncation error ε²·|s'''| is far
 * below it. A cotangent with a wrong sign or factor is off by O(1).
 *
 * @param rule - the rule to check
 * @param input - where to check it (see {@link sampleFusionInput})
 * @param epsilon - the step ε of the central differences
 * @returns the largest |numeric − analytic| relative to the largest |numeric| entry (0 when both are all zero)
 */
export function checkFusionCotangents<O>(rule: FusionRule<O>, input: FusionInput<O>, epsilon = 1e-3): number {
  const c = rule.cotangents(input);
  const [rows, m] = c.shape as [number, number];
  let error = 0;
  let scale = 0;
  for (let i = 0; i < m; i++) {
    const plus = Float32Array.from(input.imageEmbedding);
    const minus = Float32Array.from(input.imageEmbedding);
    plus[i]! += epsilon;
    minus[i]! -= epsilon;
    const sp = rule.scores({ ...input, imageEmbedding: plus });
    const sm = rule.scores({ ...input, imageEmbedding: minus });
    for (let r = 0; r < rows; r++) {
      const numeric = (sp[r]! - sm[r]!) / (2 * epsilon);
      error = Math.max(error, Math.abs(numeric - c.data[r * m + i]!));
      scale = Math.max(scale, Math.abs(numeric));
    }
  }
  return error === 0 ? 0 : error / scale;
}

/**
 * A small deterministic fusion input: e of length m, k text rows, logit scale ln(1/0.07) (CLIP's initial τ ≈ 14.3).
 * @param options - the rule's options, passed through
 * @param k - number of text rows
 * @param m - embedding width
 * @param groups - groups of text rows, for rules that reduce them
 */
export function sampleFusionInput<O>(options: O, k = 3, m = 6, groups?: readonly (readonly number[])[]): FusionInput<O> {
  const e = Float32Array.from({ length: m }, (_, i) => Math.sin(i + 1) * (1 + i / 4));
  const t = Float32Array.from({ length: k * m }, (_, i) => Math.cos(3 * i + 1));
  return { imageEmbedding: e, textEmbeddings: tensor('float32', [k, m], t), logitScale: Math.log(1 / 0.07), options, ...(groups ? { groups } : {}) };
}
