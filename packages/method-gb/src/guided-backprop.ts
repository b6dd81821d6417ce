import { EnvisionError, type AttributionMethod, type AttributionRequest } from '@envision/core';
import { differentiable, targetGradients } from './gradient.js';
import { DeconvRelu, GuidedRelu } from './relu-rules.js';
import type { GradientRule } from '@envision/onnx-grad';

/** The gradient with every `Relu` node's backward rule replaced; other nonlinearities keep theirs (as Captum). */
async function withRelu(request: AttributionRequest<Record<string, never>>, rule: GradientRule, tag: string) {
  const model = differentiable(request, tag);
  if (model.withGradientRules === undefined) {
    throw new EnvisionError('E_METHOD', `${tag} needs a model whose gradient rules can be replaced (an ONNX model loaded by Envision)`);
  }
  return { maps: await targetGradients(request, model.withGradientRules([rule], tag)) };
}

const noOptions = { type: 'object', properties: {}, additionalProperties: false };

/**
 * Guided Backprop (Springenberg et al. 2014): the gradient where each ReLU passes only positive cotangents at
 * positive inputs. Only `Relu` nodes change, as in Captum: on a GELU model (Swin, BERT) it equals the signed gradient.
 * Not linear in the target.
 */
export const guidedBackprop: AttributionMethod<Record<string, never>> = {
  meta: {
    id: 'guided-backprop',
    kind: 'gradient',
    linear: false,
    description: 'Gradient in which every ReLU passes only positive cotangents where its input was positive.',
    paper: 'Springenberg, Dosovitskiy, Brox & Riedmiller (2014), Striving for Simplicity: The All Convolutional Net, arXiv:1412.6806.',
    optionsSchema: noOptions,
    defaultOptions: {},
  },
  attribute: (request) => withRelu(request, GuidedRelu, 'guided-backprop'),
};

/** Deconvnet (Zeiler & Fergus 2014): the gradient where each ReLU passes only positive cotangents. Not linear in the target. */
export const deconvnet: AttributionMethod<Record<string, never>> = {
  meta: {
    id: 'deconvnet',
    kind: 'gradient',
    linear: false,
    description: 'Gradient in which every ReLU passes only positive cotangents, whatever its input.',
    paper: 'Zeiler & Fergus (2014), Visualizing and Understanding Convolutional Networks, ECCV.',
    optionsSchema: noOptions,
    defaultOptions: {},
  },
  attribute: (request) => withRelu(request, DeconvRelu, 'deconvnet'),
};
