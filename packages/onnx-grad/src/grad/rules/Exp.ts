import type { GradientRule } from '../rule.js';

/** d eˣ = dy · eˣ = dy · y. */
export const Exp: GradientRule = {
  opType: 'Exp',
  broadcastsForwardValues: 'elementwise',
  backward(ctx) {
    return [ctx.op('Mul', [ctx.grad()!, ctx.output(0)])];
  },
};
