/**
 * Envision core: the contracts plugins implement (models, attribution methods, adapters, fusion rules),
 * tensors and npy files, ONNX models, the plugin registry, experiments and rendering.
 * @packageDocumentation
 */
// The shared types every plugin needs — tensors, the model contracts, the error class, atomic writes, ONNX models
// with and without gradients — live in the lowest layer, @envision/onnx-grad, and are re-exported here so that a
// plugin imports its whole contract from core. The ONNX codec and the gradient-graph builder are not re-exported.
export {
  type DType,
  type DataOf,
  type Tensor,
  sizeOf,
  tensor,
  zeros,
  formatShape,
  sameShape,
  row,
  stack,
  repeatBatch,
  maxRelativeError,
  maxAbsoluteError,
  type EnvisionErrorCode,
  EnvisionError,
  isEnvisionError,
  describeCause,
  writeFileAtomic,
  checkRegularTarget,
  type TensorInfo,
  type NamedTensors,
  type Model,
  type DifferentiableModel,
  isDifferentiable,
  OnnxModel,
  type OnnxModelOptions,
  DifferentiableOnnxModel,
  type DifferentiableOnnxModelOptions,
  type GradientSessionSettings,
  GRADIENT_SESSION_DEFAULTS,
  type VjpStats,
  onnxRuntimeVersion,
  EXECUTION_PROVIDER_NAMES,
  type ExecutionProviderName,
  type ExecutionProvider,
  DEFAULT_EXECUTION_PROVIDERS,
  EXECUTION_PROVIDERS_SCHEMA,
  formatProvider,
  parseExecutionProviders,
  providerName,
  resolveExecutionProviders,
  providerFailureMessage,
  providerFallbackMessage,
  type ProviderFailure,
  type ProviderResolution,
  setDefaultIntraOpNumThreads,
} from '@envision/onnx-grad';
export * from './npy.js';
export * from './method.js';
export * from './adapter.js';
export * from './fusion.js';
export * from './registry.js';
export * from './plugins.js';
export * from './plugin-check.js';
export * from './method-maps.js';
export * from './adapter-check.js';
export * from './plugin-loader.js';
export * from './options.js';
export * from './attribute.js';
export * from './fusion-rules/index.js';
export * from './check/index.js';
export * from './config/index.js';
export * from './render/index.js';
export * from './manifest.js';
export * from './zero-shot.js';
export * from './pipeline/index.js';
export * from './versions.js';
export { ContainerModule } from 'inversify';
export * from './random.js';
export * from './point-gradients.js';
export * from './quadrature.js';
export * from './token-attribution.js';
export * from './metrics/index.js';
export * from './report/index.js';
export * from './sanity/index.js';
