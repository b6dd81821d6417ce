import type { GradientRule } from '../rule.js';

/**
 * y = where(c, a, b), broadcast: da = dy where c (0 elsewhere), db = dy where not c, each summed back over the axes
 * it was broadcast along. The bool condition gets no gradient.
 */
export const Where: GradientRule = {
  opType: 'Where',
  broadcastsForwardValues: 'elementwise',
  backward(ctx) {
    const g = ctx.grad()!;
    const out = ctx.outputShape(0);
    const zero = ctx.floats([0], []);
    const branch = (i: 1 | 2) => {
      const picked = ctx.op('Where', i === 1 ? [ctx.input(0), g, zero] : [ctx.input(0), zero, g]);
      return ctx.unbroadcast(picked, out, ctx.inputShape(i));
    };
    return [undefined, ctx.needsGrad(1) ? branch(1) : undefined, ctx.needsGrad(2) ? branch(2) : undefined];
  },
};
