/**
 * GradientShap for Envision.
 * @packageDocumentation
 */
import { AttributionMethod, ContainerModule } from '@envision/core';
import { gradientShap } from './gradient-shap.js';

export { gradientShap, gradientShapFromDraws, type GradientShapOptions } from './gradient-shap.js';
export { drawSamples, type ShapDraw } from './draws.js';

/** Binds the `gradshap` method; the package's plugin entry point. */
const gradientShapModule: ContainerModule = new ContainerModule(({ bind }) => {
  bind(AttributionMethod).toConstantValue(gradientShap);
});
export default gradientShapModule;
