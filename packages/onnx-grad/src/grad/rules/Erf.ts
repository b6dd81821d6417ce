import type { GradientRule } from '../rule.js';

/** d erf(x) = dy · (2/√π) · exp(−x²). */
export const Erf: GradientRule = {
  opType: 'Erf',
  broadcastsForwardValues: 'elementwise',
  backward(ctx) {
    const x = ctx.input(0);
    const gaussian = ctx.op('Exp', [ctx.op('Neg', [ctx.op('Mul', [x, x])])]);
    return [ctx.op('Mul', [ctx.op('Mul', [ctx.grad()!, ctx.floats([2 / Math.sqrt(Math.PI)], [])]), gaussian])];
  },
};
