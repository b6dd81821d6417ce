/**
 * GradientShap for Envision.
 * @packageDocumentation
 */
import { definePlugins } from '@envision/core';
import { gradientShap } from './gradient-shap.js';

export { gradientShap, gradientShapFromDraws, type GradientShapOptions } from './gradient-shap.js';
export { drawSamples, type ShapDraw } from './draws.js';

/** The package's plugins, in the plain-object form: its default export, the plugin entry point. */
const gradientShapPlugins = definePlugins({ methods: [gradientShap] });
export default gradientShapPlugins;
