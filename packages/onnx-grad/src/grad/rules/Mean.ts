import type { GradientRule } from '../rule.js';

/** d((x₁ + … + xₙ) / n): every input gets dy / n, summed back over the axes it was broadcast along. */
export const Mean: GradientRule = {
  opType: 'Mean',
  backward(ctx) {
    const n = ctx.inputCount;
    const share = n === 1 ? ctx.grad()! : ctx.op('Mul', [ctx.grad()!, ctx.floats([1 / n], [])]);
    const out = ctx.outputShape(0);
    return Array.from({ length: n }, (_, i) => (ctx.needsGrad(i) ? ctx.unbroadcast(share, out, ctx.inputShape(i)) : undefined));
  },
};
