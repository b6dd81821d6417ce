export * from './rule.js';
export * from './rule-registry.js';
export * from './builder.js';
export * from './layout.js';
export * from './probe.js';
export * from './differentiable-onnx-model.js';
export { defaultRules } from './rules/index.js';
export { checkGradient, checkModelGradient, randomTensor, type GradientCheck, type ModelGradientCheck, type GradientCheckResult } from './check-gradient.js';
export { closeNames, cutAt, embeddingLookup, valueNames } from './cut.js';
