import { tensor, type AttributionMethod, type AttributionRequest, type AttributionResult } from '@envision/core';
import { calls, maskOptionProperties, prepare, samplingProperties, scoreCoalitions, type MaskOptions, type MaskSetting } from './common.js';
import { drawKernelShapCoalitions } from './draws.js';
import { spreadToInput } from './masks.js';
import { weightedLeastSquares } from './regression.js';

/** Options of KernelSHAP (Captum's `KernelShap.attribute` arguments). */
export interface KernelShapOptions extends MaskOptions {
  /**
   * Number of coalitions evaluated, the all-present and all-absent ones included (Captum's `n_samples`).
   * @default 25
   */
  readonly samples: number;
  /**
   * Seed of the coalitions ({@link drawKernelShapCoalitions}); the same seed gives the same maps.
   * @default 0
   */
  readonly seed: number;
}

/** Captum's weight of the all-present and all-absent coalitions (`KernelShap.inf_weight`); every other weight is 1. */
export const KERNEL_SHAP_END_WEIGHT = 1e6;

/**
 * KernelSHAP as Captum computes it: coalitions z drawn so that their size follows the Shapley kernel (the two end
 * coalitions first, weighted 1e6; the others weighted 1), F_k of the input with the absent features at the baseline,
 * and a weighted linear regression F_k ≈ b_k + z · φ_k ({@link weightedLeastSquares}, scikit-learn's
 * `LinearRegression` as Captum's `SkLearnLinearRegression` calls it); φ_k,f is given to every input element of
 * feature f. The coalitions are given, so tests can replay any set.
 */
export async function kernelShapFromCoalitions(request: AttributionRequest<KernelShapOptions>, coalitions: readonly Uint8Array[]): Promise<AttributionResult> {
  return kernelShap(request, await prepare(request, 'kernel-shap'), coalitions);
}

async function kernelShap(request: AttributionRequest<KernelShapOptions>, setting: MaskSetting, coalitions: readonly Uint8Array[]): Promise<AttributionResult> {
  const { k, n, mask, perEval } = setting;
  const m = mask.count;
  const progress = { done: 0, total: calls(coalitions.length, perEval) };
  const y = await scoreCoalitions(request, setting, coalitions.length, (t) => coalitions[t]!, progress);
  const weights = coalitions.map((z) => {
    const size = z.reduce((a, b) => a + b, 0);
    return size === 0 || size === m ? KERNEL_SHAP_END_WEIGHT : 1;
  });
  const fit = weightedLeastSquares(coalitions, y, k, weights);
  return {
    maps: tensor('float32', [k, ...setting.size], spreadToInput(fit.coefficients, k, mask, n)),
    report: { features: m, samples: coalitions.length, seed: request.options.seed, rank: fit.rank, modelCalls: progress.done },
  };
}

/** The KernelSHAP method plugin, id `kernel-shap`. */
export const kernelShapMethod: AttributionMethod<KernelShapOptions> = {
  meta: {
    id: 'kernel-shap',
    kind: 'perturbation',
    linear: true,
    description: 'Shapley values of the features of a mask, estimated by a linear regression on coalitions sampled with the Shapley kernel.',
    paper: 'Lundberg & Lee (2017), A Unified Approach to Interpreting Model Predictions, NeurIPS.',
    optionsSchema: {
      type: 'object',
      properties: { ...maskOptionProperties, ...samplingProperties },
      required: ['mask'],
      additionalProperties: false,
    },
    defaultOptions: { baseline: 0, perturbationsPerEval: 16, samples: 25, seed: 0 },
  },
  async attribute(request) {
    const setting = await prepare(request, 'kernel-shap');
    return kernelShap(request, setting, drawKernelShapCoalitions(setting.mask.count, request.options.samples, request.options.seed));
  },
};
