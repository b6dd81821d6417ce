import type { GradientRule } from '../rule.js';

/** d σ(x) = dy · σ(x) · (1 − σ(x)) = dy · y · (1 − y). */
export const Sigmoid: GradientRule = {
  opType: 'Sigmoid',
  broadcastsForwardValues: 'elementwise',
  backward(ctx) {
    const y = ctx.output(0);
    return [ctx.op('Mul', [ctx.op('Mul', [ctx.grad()!, y]), ctx.op('Sub', [ctx.floats([1], []), y])])];
  },
};
