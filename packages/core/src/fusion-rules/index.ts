import { ContainerModule } from 'inversify';
import { FusionRule } from '../fusion.js';
import { dotFusion } from './dot.js';

export { dotFusion, normalizeRows, type DotFusionOptions } from './dot.js';

/** Core's own plugins (the built-in fusion rules), registered like any plugin package's. */
export const coreModule: ContainerModule = new ContainerModule(({ bind }) => {
  bind(FusionRule).toConstantValue(dotFusion);
});
