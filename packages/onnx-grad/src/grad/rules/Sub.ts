import type { GradientRule } from '../rule.js';

/** d(a − b) = da − db, unbroadcast. */
export const Sub: GradientRule = {
  opType: 'Sub',
  backward(ctx) {
    const g = ctx.grad()!;
    const out = ctx.outputShape(0);
    return [
      ctx.needsGrad(0) ? ctx.unbroadcast(g, out, ctx.inputShape(0)) : undefined,
      ctx.needsGrad(1) ? ctx.unbroadcast(ctx.op('Neg', [g]), out, ctx.inputShape(1)) : undefined,
    ];
  },
};
