import type { GradientRule } from '../rule.js';

/** Unsqueeze only inserts size-1 axes: dx = reshape(dy) to x's shape (axes, input 1, gets no cotangent). */
export const Unsqueeze: GradientRule = {
  opType: 'Unsqueeze',
  backward(ctx) {
    return [ctx.op('Reshape', [ctx.grad()!, ctx.ints(ctx.inputShape(0))]), undefined];
  },
};
