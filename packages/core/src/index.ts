/**
 * Envision core: the contracts plugins implement (models, attribution methods, adapters, fusion rules),
 * tensors and npy files, ONNX models, the plugin registry, experiments and rendering.
 * @packageDocumentation
 */
export * from './errors.js';
export * from './tensor.js';
export * from './npy.js';
export * from './atomic-file.js';
export * from './model.js';
export * from './method.js';
export * from './adapter.js';
export * from './fusion.js';
export * from './onnx-model.js';
export * from './registry.js';
export * from './plugin-loader.js';
export * from './options.js';
export * from './attribute.js';
export * from './fusion-rules/index.js';
export * from './config/index.js';
export * from './render/index.js';
export * from './pipeline/index.js';
export * from './versions.js';
export { ContainerModule } from 'inversify';
export * from './grad/index.js';
export * from './onnx/index.js';
export * from './random.js';
export * from './point-gradients.js';
export * from './metrics/index.js';
export * from './report/index.js';
export * from './phantom/index.js';
export * from './bench/index.js';
