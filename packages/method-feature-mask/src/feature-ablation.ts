import { tensor, type AttributionMethod, type AttributionRequest, type AttributionResult } from '@envision/core';
import { calls, maskOptionProperties, prepare, scoreCoalitions, type MaskOptions } from './common.js';
import { spreadToInput } from './masks.js';

/** Options of Feature Ablation (Captum's `FeatureAblation.attribute` arguments). */
export type FeatureAblationOptions = MaskOptions;

/**
 * Feature Ablation with Captum's semantics: for each feature f of the mask, A_k = F_k(x) − F_k(x with f set to the
 * baseline), given to every input element of f (all channels of its pixels). One forward pass gives all K target
 * rows; m + 1 inputs are evaluated for m features.
 */
async function attribute(request: AttributionRequest<FeatureAblationOptions>): Promise<AttributionResult> {
  const setting = await prepare(request, 'feature-ablation');
  const { k, n, mask, perEval } = setting;
  const m = mask.count;
  const progress = { done: 0, total: calls(m + 1, perEval) };
  const all = new Uint8Array(m).fill(1);
  const ablated = new Uint8Array(m);
  // Input 0 is x itself; input 1 + f lacks feature f.
  const scores = await scoreCoalitions(request, setting, m + 1, (t) => {
    if (t === 0) return all;
    ablated.fill(1);
    ablated[t - 1] = 0;
    return ablated;
  }, progress);
  const values = new Float64Array(k * m);
  for (let f = 0; f < m; f++) for (let r = 0; r < k; r++) values[r * m + f] = scores[r]! - scores[(f + 1) * k + r]!;
  return { maps: tensor('float32', [k, ...setting.size], spreadToInput(values, k, mask, n)), report: { features: m, modelCalls: progress.done } };
}

/** The Feature Ablation method plugin, id `feature-ablation`. */
export const featureAblation: AttributionMethod<FeatureAblationOptions> = {
  meta: {
    id: 'feature-ablation',
    kind: 'perturbation',
    linear: true,
    description: 'Change of the explained output when each feature of a mask (grid cell, superpixel) is replaced by a baseline.',
    paper: 'Captum FeatureAblation (Kokhlikyan et al. 2020, Captum: A unified and generic model interpretability library for PyTorch, arXiv:2009.07896); occlusion of image regions as in Zeiler & Fergus (2014).',
    optionsSchema: {
      type: 'object',
      properties: { ...maskOptionProperties },
      required: ['mask'],
      additionalProperties: false,
    },
    defaultOptions: { baseline: 0, perturbationsPerEval: 16 },
  },
  attribute,
};
