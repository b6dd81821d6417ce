/**
 * NoiseTunnel for Envision: SmoothGrad, SmoothGrad² and VarGrad over any registered attribution method.
 * @packageDocumentation
 */
import { definePlugins } from '@envision/core';
import { noiseTunnel } from './noise-tunnel.js';

export { noiseTunnel, innerMethod, type NoiseTunnelOptions, type NoiseTunnelType } from './noise-tunnel.js';
export { noiseSamples } from './noise.js';

/** The package's plugins, in the plain-object form: its default export, the plugin entry point. */
const noiseTunnelPlugins = definePlugins({ methods: [noiseTunnel] });
export default noiseTunnelPlugins;
