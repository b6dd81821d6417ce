import type { GradientRule } from '../rule.js';

/** d|x| = dy · sign(x); 0 at x = 0, as PyTorch's `abs` backward (`grad · sgn(x)`). */
export const Abs: GradientRule = {
  opType: 'Abs',
  broadcastsForwardValues: 'elementwise',
  backward(ctx) {
    return [ctx.op('Mul', [ctx.grad()!, ctx.op('Sign', [ctx.input(0)])])];
  },
};
