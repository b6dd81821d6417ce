import type { GradientRule } from '../rule.js';

/** d relu(x) = dy · 1[x > 0]. */
export const Relu: GradientRule = {
  opType: 'Relu',
  broadcastsForwardValues: 'elementwise',
  backward(ctx) {
    const positive = ctx.op('Cast', [ctx.op('Greater', [ctx.input(0), ctx.floats([0], [])])], { to: BigInt(ctx.inputType(0)) });
    return [ctx.op('Mul', [ctx.grad()!, positive])];
  },
};
