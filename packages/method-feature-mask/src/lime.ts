import { tensor, type AttributionMethod, type AttributionRequest, type AttributionResult } from '@envision/core';
import { calls, maskOptionProperties, prepare, samplingProperties, scoreCoalitions, type MaskOptions, type MaskSetting } from './common.js';
import { drawLimeCoalitions } from './draws.js';
import { spreadToInput, type FeatureMask } from './masks.js';
import { weightedLasso } from './lasso.js';
import { weightedLeastSquares } from './regression.js';

/** Options of LIME (Captum's `Lime` with its default similarity, sampling and interpretable model). */
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
  /**
   * The interpretable model. `lasso`: Captum's default, `SkLearnLasso(alpha)` ({@link weightedLasso}); not linear in
   * the target, so the pipeline's `auto` strategy explains each output element and combines the maps (`jacobian`).
   * `linear`: weighted least squares (Captum's `SkLearnLinearRegression`, {@link weightedLeastSquares}); linear in
   * the target, so K target rows share one set of forwards and draws (`direct`).
   * @default 'lasso'
   */
  readonly model: 'lasso' | 'linear';
  /**
   * The Lasso's L1 penalty α (Captum's `SkLearnLasso(alpha=0.01)`); only read with `model: 'lasso'`.
   * @default 0.01
   */
  readonly alpha: number;
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
 * LIME as Captum's `Lime` computes it with its defaults: coalitions z with each feature present with probability ½,
 * F_k of the input with the absent features at the baseline, weights {@link limeWeights}, and for each target row k
 * its own fit F_k ≈ b_k + z · φ_k: by default Captum's `SkLearnLasso(alpha=0.01)` ({@link weightedLasso}), with
 * `model: 'linear'` weighted least squares ({@link weightedLeastSquares}, Captum's `SkLearnLinearRegression`). φ_k,f
 * is given to every input element of feature f. The coalitions are given, so tests can replay any set.
 */
export async function limeFromCoalitions(request: AttributionRequest<LimeOptions>, coalitions: readonly Uint8Array[]): Promise<AttributionResult> {
  return lime(request, await prepare(request, 'lime'), coalitions);
}

async function lime(request: AttributionRequest<LimeOptions>, setting: MaskSetting, coalitions: readonly Uint8Array[]): Promise<AttributionResult> {
  const { k, n, mask, perEval, x } = setting;
  const progress = { done: 0, total: calls(coalitions.length, perEval) };
  const y = await scoreCoalitions(request, setting, coalitions.length, (t) => coalitions[t]!, progress);
  const weights = limeWeights(x.data, mask, request.options.baseline, coalitions, request.options);
  const report = { features: mask.count, samples: coalitions.length, seed: request.options.seed, modelCalls: progress.done };
  if (request.options.model === 'linear') {
    const fit = weightedLeastSquares(coalitions, y, k, weights);
    return { maps: tensor('float32', [k, ...setting.size], spreadToInput(fit.coefficients, k, mask, n)), report: { ...report, model: 'linear', rank: fit.rank } };
  }
  const fit = weightedLasso(coalitions, y, k, weights, request.options.alpha);
  return {
    maps: tensor('float32', [k, ...setting.size], spreadToInput(fit.coefficients, k, mask, n)),
    report: { ...report, model: 'lasso', alpha: request.options.alpha, rank: fit.rank, sweeps: fit.sweeps, unconverged: fit.unconverged },
  };
}

/** The LIME method plugin, id `lime`. */
export const limeMethod: AttributionMethod<LimeOptions> = {
  meta: {
    id: 'lime',
    kind: 'perturbation',
    linear: (options) => options.model === 'linear',
    description: 'Coefficients of a Lasso (or a linear model) fitted to the explained output on random coalitions of mask features, weighted by similarity to the input.',
    paper: 'Ribeiro, Singh & Guestrin (2016), "Why Should I Trust You?": Explaining the Predictions of Any Classifier, KDD.',
    optionsSchema: {
      type: 'object',
      properties: {
        ...maskOptionProperties,
        ...samplingProperties,
        kernelWidth: { type: 'number', exclusiveMinimum: 0, description: 'Width of the exponential similarity kernel.' },
        distance: { enum: ['cosine', 'euclidean'], description: 'Distance between the input and a perturbed input.' },
        model: { enum: ['lasso', 'linear'], description: "Interpretable model: Captum's default Lasso, or weighted least squares (linear in the target)." },
        alpha: { type: 'number', minimum: 0, description: 'L1 penalty of the Lasso (model: lasso).' },
      },
      required: ['mask'],
      additionalProperties: false,
    },
    defaultOptions: { baseline: 0, perturbationsPerEval: 16, samples: 25, seed: 0, kernelWidth: 1, distance: 'cosine', model: 'lasso', alpha: 0.01 },
  },
  async attribute(request) {
    const setting = await prepare(request, 'lime');
    return lime(request, setting, drawLimeCoalitions(setting.mask.count, request.options.samples, request.options.seed));
  },
};
