/**
 * Vector–Jacobian products of any ONNX model, run by onnxruntime-node, without Python: an ONNX codec and graph
 * building helpers, a gradient-graph builder with one rule per op, and {@link DifferentiableOnnxModel}. It also
 * holds the few types every Envision package shares — tensors, the {@link Model} / {@link DifferentiableModel}
 * contracts this package implements, {@link EnvisionError} and atomic file writes — because it is the lowest layer
 * and depends on nothing of Envision's.
 * @packageDocumentation
 */
export * from './errors.js';
export * from './tensor.js';
export * from './random.js';
export * from './atomic-file.js';
export * from './model.js';
export * from './onnx-model.js';
export * from './execution-providers.js';
export * from './onnx/index.js';
export * from './grad/index.js';
