import type { GradientRule } from '../rule.js';

/** Y[n, c] = mean of X[n, c, …] over the S spatial positions, so dX[n, c, …] = dY[n, c] / S, broadcast over space. */
export const GlobalAveragePool: GradientRule = {
  opType: 'GlobalAveragePool',
  backward(ctx) {
    const xShape = ctx.inputShape(0);
    const size = xShape.slice(2).reduce((a, b) => a * b, 1);
    return [ctx.op('Expand', [ctx.op('Mul', [ctx.grad()!, ctx.floats([1 / size], [])]), ctx.ints(xShape)])];
  },
};
