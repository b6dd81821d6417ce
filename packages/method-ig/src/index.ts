/**
 * Integrated Gradients for Envision.
 * @packageDocumentation
 */
import { definePlugins } from '@envision/core';
import { integratedGradients } from './integrated-gradients.js';

export { integratedGradients, type IntegratedGradientsOptions } from './integrated-gradients.js';
// The integration rules are core's (layer methods use them too); re-exported under this package's names.
export { quadrature, gaussLegendre, type IntegrationMethod, type Quadrature } from '@envision/core';

/** The package's plugins, in the plain-object form: its default export, the plugin entry point. */
const integratedGradientsPlugins = definePlugins({ methods: [integratedGradients] });
export default integratedGradientsPlugins;
