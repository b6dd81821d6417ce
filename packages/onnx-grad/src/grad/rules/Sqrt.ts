import type { GradientRule } from '../rule.js';

/** d√x = dy / (2√x) = dy / (2y). */
export const Sqrt: GradientRule = {
  opType: 'Sqrt',
  broadcastsForwardValues: 'elementwise',
  backward(ctx) {
    const y = ctx.output(0);
    return [ctx.op('Div', [ctx.grad()!, ctx.op('Add', [y, y])])];
  },
};
