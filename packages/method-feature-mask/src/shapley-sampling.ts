import { tensor, type AttributionMethod, type AttributionRequest, type AttributionResult } from '@envision/core';
import { calls, maskOptionProperties, prepare, samplingProperties, scoreCoalitions, type MaskOptions, type MaskSetting } from './common.js';
import { drawPermutations } from './draws.js';
import { spreadToInput } from './masks.js';

/** Options of Shapley Value Sampling (Captum's `ShapleyValueSampling.attribute` arguments). */
export interface ShapleySamplingOptions extends MaskOptions {
  /**
   * Number of random feature permutations (Captum's `n_samples`).
   * @default 25
   */
  readonly samples: number;
  /**
   * Seed of the permutations ({@link drawPermutations}); the same seed gives the same maps.
   * @default 0
   */
  readonly seed: number;
}

/**
 * Shapley Value Sampling with Captum's semantics (Castro et al. 2009): for each of `samples` random permutations of
 * the m features, start from the baseline input and add the features of x one by one in that order; the attribution
 * of a feature is the mean over permutations of the change of F_k when it is added, given to every input element of
 * the feature. 1 + samples · m inputs are evaluated.
 */
export async function shapleySamplingFromPermutations(request: AttributionRequest<ShapleySamplingOptions>, permutations: readonly Int32Array[]): Promise<AttributionResult> {
  return shapley(request, await prepare(request, 'shapley-sampling'), permutations);
}

async function shapley(request: AttributionRequest<ShapleySamplingOptions>, setting: MaskSetting, permutations: readonly Int32Array[]): Promise<AttributionResult> {
  const { k, n, mask, perEval } = setting;
  const m = mask.count;
  const total = permutations.length * m;
  const progress = { done: 0, total: calls(1, perEval) + calls(total, perEval) };
  const none = new Uint8Array(m);
  const base = await scoreCoalitions(request, setting, 1, () => none, progress);
  const present = new Uint8Array(m);
  const scores = await scoreCoalitions(request, setting, total, (t) => {
    const perm = permutations[Math.floor(t / m)]!;
    const step = t % m;
    present.fill(0);
    for (let i = 0; i <= step; i++) present[perm[i]!] = 1;
    return present;
  }, progress);
  const sums = new Float64Array(k * m);
  for (let t = 0; t < total; t++) {
    const step = t % m;
    const f = permutations[Math.floor(t / m)]![step]!;
    for (let r = 0; r < k; r++) sums[r * m + f]! += scores[t * k + r]! - (step === 0 ? base[r]! : scores[(t - 1) * k + r]!);
  }
  const values = sums.map((s) => s / permutations.length);
  return {
    maps: tensor('float32', [k, ...setting.size], spreadToInput(values, k, mask, n)),
    report: { features: m, samples: permutations.length, seed: request.options.seed, modelCalls: progress.done },
  };
}

/** The Shapley Value Sampling method plugin, id `shapley-sampling`. */
export const shapleySampling: AttributionMethod<ShapleySamplingOptions> = {
  meta: {
    id: 'shapley-sampling',
    kind: 'perturbation',
    linear: true,
    description: 'Shapley values of the features of a mask, estimated from random permutations (mean marginal contribution).',
    paper: 'Castro, Gómez & Tejada (2009), Polynomial calculation of the Shapley value based on sampling, Computers & Operations Research; Strumbelj & Kononenko (2010), JMLR.',
    optionsSchema: {
      type: 'object',
      properties: { ...maskOptionProperties, ...samplingProperties },
      required: ['mask'],
      additionalProperties: false,
    },
    defaultOptions: { baseline: 0, perturbationsPerEval: 16, samples: 25, seed: 0 },
  },
  async attribute(request) {
    const setting = await prepare(request, 'shapley-sampling');
    return shapley(request, setting, drawPermutations(setting.mask.count, request.options.samples, request.options.seed));
  },
};
