import type { GradientRule } from '../rule.js';

/** d(a + b) = da + db, each summed back over the axes it was broadcast along. */
export const Add: GradientRule = {
  opType: 'Add',
  backward(ctx) {
    const g = ctx.grad()!;
    const out = ctx.outputShape(0);
    return [0, 1].map((i) => (ctx.needsGrad(i) ? ctx.unbroadcast(g, out, ctx.inputShape(i)) : undefined));
  },
};
