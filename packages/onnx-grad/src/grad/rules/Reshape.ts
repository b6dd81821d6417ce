import type { GradientRule } from '../rule.js';

/** Reshape moves no values: the cotangent is reshaped back to the input's shape. */
export const Reshape: GradientRule = {
  opType: 'Reshape',
  backward(ctx) {
    return [ctx.op('Reshape', [ctx.grad()!, ctx.ints(ctx.inputShape(0))]), undefined];
  },
};
