/**
 * RISE attribution for Envision.
 * @packageDocumentation
 */
import { definePlugins } from '@envision/core';
import { rise } from './rise.js';

export { rise, type RiseOptions } from './rise.js';
export { drawRiseMasks, riseMask, axisTaps, type RiseDraws, type AxisTaps } from './masks.js';

/** The package's plugins, in the plain-object form: its default export, the plugin entry point. */
const risePlugins = definePlugins({ methods: [rise] });
export default risePlugins;
