/**
 * Layer attribution methods for Envision: Grad-CAM and Layer Integrated Gradients on any intermediate tensor of an
 * ONNX model (the model is cut there by `DifferentiableModel.layer`), with Captum's definitions.
 * @packageDocumentation
 */
import { AttributionMethod, ContainerModule } from '@envision/core';
import { gradCam } from './grad-cam.js';
import { layerIg } from './layer-ig.js';

export { gradCam, type GradCamOptions } from './grad-cam.js';
export { layerIg, type LayerIgOptions } from './layer-ig.js';
export { asGrid, type TokenLayout } from './grid.js';
export { upsample, type Upsampling } from './upsample.js';
export { spreadToInput, layerMapToInput } from './to-input.js';
export { layerAt, layerOption, layerMapProperties, type LayerAt, type LayerMapOptions } from './layer.js';

/** Binds `grad-cam` and `layer-ig`; the package's plugin entry point. */
const layerMethodsModule: ContainerModule = new ContainerModule(({ bind }) => {
  bind(AttributionMethod).toConstantValue(gradCam);
  bind(AttributionMethod).toConstantValue(layerIg);
});
export default layerMethodsModule;
