/**
 * Occlusion attribution for Envision.
 * @packageDocumentation
 */
import { definePlugins } from '@envision/core';
import { occlusion } from './occlusion.js';

export { occlusion, type OcclusionOptions } from './occlusion.js';
/** Kept for importers of the earlier copy here: the one implementation is core's. */
export { scoreOutputs } from '@envision/core';
export { windowGrid, windowBox, forEachInBox, type WindowGrid } from './windows.js';

/** The package's plugins, in the plain-object form: its default export, the plugin entry point. */
const occlusionPlugins = definePlugins({ methods: [occlusion] });
export default occlusionPlugins;
