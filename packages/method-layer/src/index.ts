/**
 * Layer attribution methods for Envision: Grad-CAM and Layer Integrated Gradients on any intermediate tensor of an
 * ONNX model (the model is cut there by `DifferentiableModel.layer`), with Captum's definitions.
 * @packageDocumentation
 */
import { definePlugins } from '@envision/core';
import { gradCam } from './grad-cam.js';
import { layerIg } from './layer-ig.js';

export { gradCam, type GradCamOptions } from './grad-cam.js';
export { layerIg, type LayerIgOptions } from './layer-ig.js';
export { asGrid, type TokenLayout } from './grid.js';
export { upsample, type Upsampling } from './upsample.js';
export { spreadToInput, layerMapToInput } from './to-input.js';
export { layerAt, layerOption, layerMapProperties, type LayerAt, type LayerMapOptions } from './layer.js';

/** The package's plugins, in the plain-object form: its default export, the plugin entry point. */
const layerMethodsPlugins = definePlugins({ methods: [gradCam, layerIg] });
export default layerMethodsPlugins;
