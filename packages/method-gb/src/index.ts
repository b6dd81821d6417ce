/**
 * Saliency, Guided Backprop and Deconvnet for Envision.
 * @packageDocumentation
 */
import { definePlugins } from '@envision/core';
import { deconvnet, guidedBackprop } from './guided-backprop.js';
import { saliency } from './saliency.js';

export { saliency, type SaliencyOptions } from './saliency.js';
export { guidedBackprop, deconvnet } from './guided-backprop.js';
export { GuidedRelu, DeconvRelu } from './relu-rules.js';
export { targetGradients, differentiable } from './gradient.js';

/** The package's plugins, in the plain-object form: its default export, the plugin entry point. */
const gradientMethodsPlugins = definePlugins({ methods: [saliency, guidedBackprop, deconvnet] });
export default gradientMethodsPlugins;
