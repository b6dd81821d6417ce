import type { GradientRule } from '../rule.js';

/** d(−x) = −dy. */
export const Neg: GradientRule = {
  opType: 'Neg',
  backward(ctx) {
    return [ctx.op('Neg', [ctx.grad()!])];
  },
};
