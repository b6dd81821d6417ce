import type { GradientRule } from '../rule.js';

/** y = broadcast(x) to a shape: dx = Σ dy over the broadcast axes (the shape, input 1, gets no cotangent). */
export const Expand: GradientRule = {
  opType: 'Expand',
  backward(ctx) {
    return [ctx.unbroadcast(ctx.grad()!, ctx.outputShape(0), ctx.inputShape(0)), undefined];
  },
};
