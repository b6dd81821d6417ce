/**
 * Integrated Gradients for Envision.
 * @packageDocumentation
 */
import { AttributionMethod, ContainerModule } from '@envision/core';
import { integratedGradients } from './integrated-gradients.js';

export { integratedGradients, type IntegratedGradientsOptions } from './integrated-gradients.js';
// The integration rules are core's (layer methods use them too); re-exported under this package's names.
export { quadrature, gaussLegendre, type IntegrationMethod, type Quadrature } from '@envision/core';

/** Binds the `ig` method; the package's plugin entry point. */
const integratedGradientsModule: ContainerModule = new ContainerModule(({ bind }) => {
  bind(AttributionMethod).toConstantValue(integratedGradients);
});
export default integratedGradientsModule;
