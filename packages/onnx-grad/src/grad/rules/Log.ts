import type { GradientRule } from '../rule.js';

/** d ln x = dy / x. */
export const Log: GradientRule = {
  opType: 'Log',
  broadcastsForwardValues: 'elementwise',
  backward(ctx) {
    return [ctx.op('Div', [ctx.grad()!, ctx.input(0)])];
  },
};
