export type { CheckResult } from './result.js';
export { checkMethod, type CheckMethodOptions } from './check-method.js';
export type { FiniteDifferenceOptions } from './directional-derivative.js';
export { checkFusion, type CheckFusionOptions } from './check-fusion.js';
export { checkFusionCotangents, sampleFusionInput } from './fusion-cotangents.js';
export { checkAdapter, type CheckAdapterContext } from './check-adapter.js';
