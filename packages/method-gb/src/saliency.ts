import type { AttributionMethod } from '@envision/core';
import { differentiable, targetGradients } from './gradient.js';

/** Options of Saliency. */
export interface SaliencyOptions {
  /**
   * Return |∂F/∂x| (Captum's default) instead of the signed gradient. Only the signed gradient is linear in the target.
   * @default true
   */
  readonly abs: boolean;
}

/** Saliency (Simonyan et al. 2014): the gradient of the explained scalar, ∂(w_k · f)/∂x, optionally its magnitude. */
export const saliency: AttributionMethod<SaliencyOptions> = {
  meta: {
    id: 'saliency',
    kind: 'gradient',
    linear: (options) => !options.abs,
    description: 'Gradient of the explained scalar with respect to the input (its absolute value by default).',
    paper: 'Simonyan, Vedaldi & Zisserman (2014), Deep Inside Convolutional Networks, ICLR workshop.',
    optionsSchema: {
      type: 'object',
      properties: { abs: { type: 'boolean', description: 'Take the absolute value of the gradient.' } },
      additionalProperties: false,
    },
    defaultOptions: { abs: true },
  },
  async attribute(request) {
    const maps = await targetGradients(request, differentiable(request, 'saliency'));
    if (request.options.abs) for (let i = 0; i < maps.data.length; i++) maps.data[i] = Math.abs(maps.data[i]!);
    return { maps };
  },
};
