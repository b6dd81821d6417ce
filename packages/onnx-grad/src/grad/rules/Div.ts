import type { GradientRule } from '../rule.js';

/** d(a / b) = da / b − (a / b²)·db = da / b − (y / b)·db, unbroadcast. */
export const Div: GradientRule = {
  opType: 'Div',
  broadcastsForwardValues: 'elementwise',
  backward(ctx) {
    const g = ctx.grad()!;
    const out = ctx.outputShape(0);
    const gOverB = ctx.op('Div', [g, ctx.input(1)]);
    return [
      ctx.needsGrad(0) ? ctx.unbroadcast(gOverB, out, ctx.inputShape(0)) : undefined,
      ctx.needsGrad(1) ? ctx.unbroadcast(ctx.op('Neg', [ctx.op('Mul', [gOverB, ctx.output(0)])]), out, ctx.inputShape(1)) : undefined,
    ];
  },
};
