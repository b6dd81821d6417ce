import { tensor, type AttributionMethod, type AttributionRequest, type AttributionResult } from '@envision/core';
import { calls, maskOptionProperties, prepare, samplingProperties, scoreCoalitions, type MaskOptions, type MaskSetting } from './common.js';
import { drawLimeCoalitions } from './draws.js';
import { spreadToInput, type FeatureMask } from './masks.js';
import { weightedLeastSquares } from './regression.js';

/** Options of LIME (Captum's `Lime` with its default similarity and sampling, and a linear regression). */
export interface LimeOptions extends MaskOptions {
  /**
   * Number of coalitions evaluated (Captum's `n_samples`).
   * @default 25
   */
  readonly samples: number;
  /**
   * Seed of the coalitions ({@link drawLimeCoalitions}); the same seed gives the same maps.
   * @default 0
   */
  readonly seed: number;
  /**
   * Width σ of the exponential kernel exp(−d² / (2σ²)) (Captum's `kernel_width`).
   * @default 1
   */
  readonly kernelWidth: number;
  /**
   * The distance d between the input and a perturbed input, both flattened (Captum's `distance_mode`).
   * @default 'cosine'
   */
  readonly distance: 'cosine' | 'euclidean';
}

/**
 * The similarity weight of each coalition (Captum's `get_exp_kernel_similarity_function`): exp(−d² / (2σ²)), with d
 * = 1 − cos(x, x_z) (cosine; 0 when x_z is all zeros) or ‖x − x_z‖ (euclidean), x_z the input with the absent
 * features at the baseline (rounded to float32, as the model receives it). Computed in float64 from per-feature sums.
 */
export function limeWeights(x: ArrayLike<number>, mask: FeatureMask, value: number, coalitions: readonly Uint8Array[], options: Pick<LimeOptions, 'kernelWidth' | 'distance'>): number[] {
  const baseline = Math.fround(value); // the value the model sees, in its float32 input
  const m = mask.count;
  const plane = mask.ids.length;
  const squares = new Float64Array(m); // Σ x² over the feature's elements
  const sums = new Float64Array(m); // Σ x
  const deviations = new Float64Array(m); // Σ (x − baseline)²
  const counts = new Float64Array(m);
  for (let i = 0; i < x.length; i++) {
    const f = mask.ids[i % plane]!;
    squares[f]! += x[i]! * x[i]!;
    sums[f]! += x[i]!;
    deviations[f]! += (x[i]! - baseline) ** 2;
    counts[f]!++;
  }
  const norm = Math.sqrt(squares.reduce((a, b) => a + b, 0));
  return coalitions.map((z) => {
    let d: number;
    if (options.distance === 'euclidean') {
      let s = 0;
      for (let f = 0; f < m; f++) if (!z[f]) s += deviations[f]!;
      d = Math.sqrt(s);
    } else {
      let dot = 0;
      let perturbed = 0;
      for (let f = 0; f < m; f++) {
        dot += z[f] ? squares[f]! : baseline * sums[f]!;
        perturbed += z[f] ? squares[f]! : baseline * baseline * counts[f]!;
      }
      const denominator = norm * Math.sqrt(perturbed);
      d = 1 - (denominator > 0 ? dot / denominator : 0);
    }
    return Math.exp(-(d * d) / (2 * options.kernelWidth ** 2));
  });
}

/**
 * LIME as Captum's `Lime` computes it with its defaults for the similarity and the sampling: coalitions z with each
 * feature present with probability ½, F_k of the input with the absent features at the baseline, weights
 * {@link limeWeights}, and a weighted linear regression F_k ≈ b_k + z · φ_k ({@link weightedLeastSquares}); φ_k,f
 * is given to every input element of feature f. Captum's default interpretable model is a Lasso (α = 0.01,
 * scikit-learn), which is not linear in the target; this plugin fits ordinary weighted least squares (Captum's
 * `SkLearnLinearRegression`), so it is. The coalitions are given, so tests can replay any set.
 */
export async function limeFromCoalitions(request: AttributionRequest<LimeOptions>, coalitions: readonly Uint8Array[]): Promise<AttributionResult> {
  return lime(request, await prepare(request, 'lime'), coalitions);
}

async function lime(request: AttributionRequest<LimeOptions>, setting: MaskSetting, coalitions: readonly Uint8Array[]): Promise<AttributionResult> {
  const { k, n, mask, perEval, x } = setting;
  const progress = { done: 0, total: calls(coalitions.length, perEval) };
  const y = await scoreCoalitions(request, setting, coalitions.length, (t) => coalitions[t]!, progress);
  const weights = limeWeights(x.data, mask, request.options.baseline, coalitions, request.options);
  const fit = weightedLeastSquares(coalitions, y, k, weights);
  return {
    maps: tensor('float32', [k, ...setting.size], spreadToInput(fit.coefficients, k, mask, n)),
    report: { features: mask.count, samples: coalitions.length, seed: request.options.seed, rank: fit.rank, modelCalls: progress.done },
  };
}

/** The LIME method plugin, id `lime`. */
export const limeMethod: AttributionMethod<LimeOptions> = {
  meta: {
    id: 'lime',
    kind: 'perturbation',
    linear: true,
    description: 'Coefficients of a linear model fitted to the explained output on random coalitions of mask features, weighted by similarity to the input.',
    paper: 'Ribeiro, Singh & Guestrin (2016), "Why Should I Trust You?": Explaining the Predictions of Any Classifier, KDD.',
    optionsSchema: {
      type: 'object',
      properties: {
        ...maskOptionProperties,
        ...samplingProperties,
        kernelWidth: { type: 'number', exclusiveMinimum: 0, description: 'Width of the exponential similarity kernel.' },
        distance: { enum: ['cosine', 'euclidean'], description: 'Distance between the input and a perturbed input.' },
      },
      required: ['mask'],
      additionalProperties: false,
    },
    defaultOptions: { baseline: 0, perturbationsPerEval: 16, samples: 25, seed: 0, kernelWidth: 1, distance: 'cosine' },
  },
  async attribute(request) {
    const setting = await prepare(request, 'lime');
    return lime(request, setting, drawLimeCoalitions(setting.mask.count, request.options.samples, request.options.seed));
  },
};
