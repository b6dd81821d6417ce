import type { AttributionMethod } from '@envision/core';
import { differentiable, targetGradients } from './gradient.js';

/**
 * Input × Gradient (Shrikumar et al. 2016; Captum `InputXGradient`): x ⊙ ∂(w_k · f)/∂x, the gradient of each
 * explained scalar multiplied element-wise by the input. One vector–Jacobian product for all K rows; with a nonlinear
 * head its cotangent rows at the input are the target, as for `saliency`. Linear in the target.
 */
export const inputXGradient: AttributionMethod<Record<string, never>> = {
  meta: {
    id: 'input-x-gradient',
    kind: 'gradient',
    linear: true,
    description: 'The input times the gradient of the explained scalar with respect to it, element by element.',
    paper: 'Shrikumar, Greenside, Shcherbina & Kundaje (2016), Not Just a Black Box: Learning Important Features Through Propagating Activation Differences, arXiv:1605.01713.',
    optionsSchema: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
  },
  async attribute(request) {
    const maps = await targetGradients(request, differentiable(request, 'input-x-gradient'));
    const x = request.inputs[request.wrt]!.data;
    const n = x.length;
    for (let i = 0; i < maps.data.length; i++) maps.data[i] = maps.data[i]! * Number(x[i % n]);
    return { maps };
  },
};
