import { type AttributionMethod, type AttributionRequest, type Tensor, pointGradients, tensor } from '@envision/core';
import { asGrid } from './grid.js';
import { type LayerMapOptions, layerAt, layerMapProperties } from './layer.js';
import { spreadToInput } from './to-input.js';

/** Options of Grad-CAM (`upsample` defaults to `bilinear`; `none` gives `[K, 1, h, w]`; `tokens` to `none`). */
export interface GradCamOptions extends LayerMapOptions {
  /** Keep only the positive part of the map (Captum's `relu_attributions`). @default false */
  readonly relu: boolean;
}

/**
 * Grad-CAM (Selvaraju et al. 2017), as Captum's `LayerGradCam`: for a layer activation A `[C, h, w]` and target k,
 * weights α_kc = mean over (h, w) of ∂y_k/∂A_c, map_k = Σ_c α_kc · A_c (then ReLU when asked), upsampled to the input.
 */
async function attribute(request: AttributionRequest<GradCamOptions>) {
  const { options, inputs, wrt, target } = request;
  const x = inputs[wrt] as Tensor<'float32'>;
  const layer = await layerAt(request, options.layer, x, 'grad-cam');
  const gradient = await pointGradients({ ...request, model: layer.model, inputs: layer.feeds, wrt: options.layer }, layer.activation, 'grad-cam'); // [1, K, …A]
  const k = target.shape[0]!;
  const a = asGrid(layer.activation, options.tokens, options.layer);
  const g = asGrid(tensor('float32', [k, ...gradient.shape.slice(2)], gradient.data), options.tokens, options.layer);
  const [, c, h, w] = a.shape as [number, number, number, number];
  const plane = h * w;
  const cam = new Float32Array(k * plane);
  for (let r = 0; r < k; r++) {
    for (let ch = 0; ch < c; ch++) {
      let mean = 0;
      for (let p = 0; p < plane; p++) mean += g.data[(r * c + ch) * plane + p]!;
      mean /= plane;
      for (let p = 0; p < plane; p++) cam[r * plane + p]! += mean * a.data[ch * plane + p]!;
    }
  }
  if (options.relu) for (let i = 0; i < cam.length; i++) cam[i] = Math.max(0, cam[i]!);
  const report = { layer: options.layer, layerShape: layer.activation.shape.slice(1) };
  if (options.upsample === 'none') return { maps: tensor('float32', [k, 1, h, w], cam), report };
  return { maps: spreadToInput(cam, k, h, w, x, options.upsample, 'grad-cam'), report };
}

/** The Grad-CAM method plugin, id `grad-cam`. */
export const gradCam: AttributionMethod<GradCamOptions> = {
  meta: {
    id: 'grad-cam',
    kind: 'gradient',
    linear: (options) => !options.relu,
    mapsShapedLikeInput: (options) => options.upsample !== 'none',
    description: "Grad-CAM: a layer's activation weighted by the spatial mean of its gradient, summed over channels, upsampled to the input.",
    paper: 'Selvaraju et al. (2017), Grad-CAM: Visual Explanations from Deep Networks via Gradient-based Localization, ICCV.',
    optionsSchema: {
      type: 'object',
      properties: { ...layerMapProperties, relu: { type: 'boolean', description: 'Keep only the positive part of the map.' } },
      required: ['layer'],
      additionalProperties: false,
    },
    defaultOptions: { relu: false, upsample: 'bilinear', tokens: 'none' },
  },
  attribute,
};
