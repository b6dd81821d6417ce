import type { GradientRule } from '../rule.js';

/** d tanh x = dy · (1 − tanh²x) = dy · (1 − y²). */
export const Tanh: GradientRule = {
  opType: 'Tanh',
  broadcastsForwardValues: 'elementwise',
  backward(ctx) {
    const y = ctx.output(0);
    return [ctx.op('Mul', [ctx.grad()!, ctx.op('Sub', [ctx.floats([1], []), ctx.op('Mul', [y, y])])])];
  },
};
