export * from './rule.js';
export * from './rule-registry.js';
export * from './builder.js';
export * from './layout.js';
export * from './probe.js';
export * from './differentiable-onnx-model.js';
export { defaultRules } from './rules/index.js';
export { checkGradient, randomTensor, type GradientCheck, type GradientCheckResult } from './check-gradient.js';
