import type { GradientRule } from '@envision/onnx-grad';

/**
 * Guided Backprop's ReLU (Springenberg et al. 2014): only positive cotangents pass, and only where the input was
 * positive — ḡ_in = ReLU(ḡ_out) · 1[x > 0].
 */
export const GuidedRelu: GradientRule = {
  opType: 'Relu',
  backward(ctx) {
    const passes = ctx.op('Cast', [ctx.op('Greater', [ctx.input(0), ctx.floats([0], [])])], { to: BigInt(ctx.inputType(0)) });
    return [ctx.op('Mul', [ctx.op('Relu', [ctx.grad()!]), passes])];
  },
};

/** Deconvnet's ReLU (Zeiler & Fergus 2014): ḡ_in = ReLU(ḡ_out), whatever the input's sign. */
export const DeconvRelu: GradientRule = {
  opType: 'Relu',
  backward(ctx) {
    return [ctx.op('Relu', [ctx.grad()!])];
  },
};
