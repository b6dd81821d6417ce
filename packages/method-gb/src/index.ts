/**
 * Saliency, Guided Backprop and Deconvnet for Envision.
 * @packageDocumentation
 */
import { AttributionMethod, ContainerModule } from '@envision/core';
import { deconvnet, guidedBackprop } from './guided-backprop.js';
import { saliency } from './saliency.js';

export { saliency, type SaliencyOptions } from './saliency.js';
export { guidedBackprop, deconvnet } from './guided-backprop.js';
export { GuidedRelu, DeconvRelu } from './relu-rules.js';
export { targetGradients, differentiable } from './gradient.js';

/** Binds `saliency`, `guided-backprop` and `deconvnet`; the package's plugin entry point. */
const gradientMethodsModule: ContainerModule = new ContainerModule(({ bind }) => {
  bind(AttributionMethod).toConstantValue(saliency);
  bind(AttributionMethod).toConstantValue(guidedBackprop);
  bind(AttributionMethod).toConstantValue(deconvnet);
});
export default gradientMethodsModule;
