import type { GradientRule } from '../rule.js';

/** d(x₁ + … + xₙ) = dx₁ + … + dxₙ: every input gets dy, summed back over the axes it was broadcast along. */
export const Sum: GradientRule = {
  opType: 'Sum',
  backward(ctx) {
    const g = ctx.grad()!;
    const out = ctx.outputShape(0);
    return Array.from({ length: ctx.inputCount }, (_, i) => (ctx.needsGrad(i) ? ctx.unbroadcast(g, out, ctx.inputShape(i)) : undefined));
  },
};
