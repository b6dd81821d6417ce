import type { GradientRule } from '../rule.js';

/** Squeeze only drops size-1 axes: dx = reshape(dy) to x's shape (axes, input 1, gets no cotangent). */
export const Squeeze: GradientRule = {
  opType: 'Squeeze',
  backward(ctx) {
    return [ctx.op('Reshape', [ctx.grad()!, ctx.ints(ctx.inputShape(0))]), undefined];
  },
};
