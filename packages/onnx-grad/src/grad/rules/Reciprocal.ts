import type { GradientRule } from '../rule.js';

/** d(1/x) = −dy / x² = −dy · y². */
export const Reciprocal: GradientRule = {
  opType: 'Reciprocal',
  broadcastsForwardValues: 'elementwise',
  backward(ctx) {
    const y = ctx.output(0);
    return [ctx.op('Neg', [ctx.op('Mul', [ctx.grad()!, ctx.op('Mul', [y, y])])])];
  },
};
