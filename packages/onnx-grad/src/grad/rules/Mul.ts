import type { GradientRule } from '../rule.js';

/** d(a · b) = b·da + a·db, unbroadcast. */
export const Mul: GradientRule = {
  opType: 'Mul',
  broadcastsForwardValues: 'elementwise',
  backward(ctx) {
    const g = ctx.grad()!;
    const out = ctx.outputShape(0);
    return [
      ctx.needsGrad(0) ? ctx.unbroadcast(ctx.op('Mul', [g, ctx.input(1)]), out, ctx.inputShape(0)) : undefined,
      ctx.needsGrad(1) ? ctx.unbroadcast(ctx.op('Mul', [g, ctx.input(0)]), out, ctx.inputShape(1)) : undefined,
    ];
  },
};
