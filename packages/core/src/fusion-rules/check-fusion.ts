import type { FusionInput, FusionRule } from '../fusion.js';
import { tensor } from '@envision/onnx-grad';

/**
 * Checks a fusion rule's cotangent rows against central finite differences of its scores with respect to the image
 * embedding; returns the largest error relative to the largest cotangent entry.
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
  return error / scale;
}

/** A small deterministic fusion input: e of length m, k text rows, logit scale ln(1/0.07). */
export function sampleFusionInput<O>(options: O, k = 3, m = 6, groups?: readonly (readonly number[])[]): FusionInput<O> {
  const e = Float32Array.from({ length: m }, (_, i) => Math.sin(i + 1) * (1 + i / 4));
  const t = Float32Array.from({ length: k * m }, (_, i) => Math.cos(3 * i + 1));
  return { imageEmbedding: e, textEmbeddings: tensor('float32', [k, m], t), logitScale: Math.log(1 / 0.07), options, ...(groups ? { groups } : {}) };
}
