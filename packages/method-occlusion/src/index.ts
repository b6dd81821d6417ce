/**
 * Occlusion attribution for Envision.
 * @packageDocumentation
 */
import { ContainerModule } from 'inversify';
import { AttributionMethod } from '@envision/core';
import { occlusion } from './occlusion.js';

export { occlusion, scoreOutputs, type OcclusionOptions } from './occlusion.js';
export { windowGrid, windowBox, forEachInBox, type WindowGrid } from './windows.js';

/** Binds the `occlusion` method; the package's plugin entry point. */
const occlusionModule: ContainerModule = new ContainerModule(({ bind }) => {
  bind(AttributionMethod).toConstantValue(occlusion);
});
export default occlusionModule;
