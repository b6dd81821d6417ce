/**
 * Perturbation methods over a feature mask: Feature Ablation, Shapley Value Sampling, KernelSHAP and LIME, with
 * grid, superpixel or npy masks.
 * @packageDocumentation
 */
import { definePlugins } from '@envision/core';
import { featureAblation } from './feature-ablation.js';
import { shapleySampling } from './shapley-sampling.js';
import { kernelShapMethod } from './kernel-shap.js';
import { limeMethod } from './lime.js';

export { featureAblation, type FeatureAblationOptions } from './feature-ablation.js';
export { shapleySampling, shapleySamplingFromPermutations, type ShapleySamplingOptions } from './shapley-sampling.js';
export { kernelShapMethod, kernelShapFromCoalitions, KERNEL_SHAP_END_WEIGHT, type KernelShapOptions } from './kernel-shap.js';
export { limeMethod, limeFromCoalitions, limeWeights, type LimeOptions } from './lime.js';
export { type MaskOptions } from './common.js';
export {
  type MaskSpec,
  type GridMaskSpec,
  type SuperpixelMaskSpec,
  type NpyMaskSpec,
  type FeatureMask,
  buildMask,
  gridMask,
  npyMask,
  compactIds,
  composeInput,
  spreadToInput,
  maskSchema,
} from './masks.js';
export { superpixels, type SuperpixelOptions } from './superpixels.js';
export { drawPermutations, drawKernelShapCoalitions, drawLimeCoalitions } from './draws.js';
export { weightedLeastSquares, type LinearFit } from './regression.js';
export { weightedLasso, LASSO_TOLERANCE, LASSO_MAX_SWEEPS, type LassoFit } from './lasso.js';

/** The package's plugins, in the plain-object form: its default export, the plugin entry point. */
const featureMaskPlugins = definePlugins({ methods: [featureAblation, shapleySampling, kernelShapMethod, limeMethod] });
export default featureMaskPlugins;
