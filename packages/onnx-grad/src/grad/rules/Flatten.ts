import type { GradientRule } from '../rule.js';

/** Flatten moves no values: dx = reshape(dy) to x's shape. */
export const Flatten: GradientRule = {
  opType: 'Flatten',
  backward(ctx) {
    return [ctx.op('Reshape', [ctx.grad()!, ctx.ints(ctx.inputShape(0))])];
  },
};
