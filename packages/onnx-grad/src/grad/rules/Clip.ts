import type { GradientRule } from '../rule.js';

/**
 * y = clip(x, min, max): dx = dy where min ≤ x ≤ max, 0 elsewhere. The bounds themselves pass the gradient, as
 * PyTorch's `clamp` backward does (`grad · [min ≤ x ≤ max]`); the set is found as y = x, which holds exactly there.
 * min and max (optional inputs since opset 11, either may be omitted) get no gradient: the rule fails when they
 * depend on the attributed input.
 */
export const Clip: GradientRule = {
  opType: 'Clip',
  broadcastsForwardValues: 'elementwise',
  backward(ctx) {
    if (ctx.needsGrad(1) || ctx.needsGrad(2)) ctx.fail('the bounds min/max depend on the attributed input: only x is differentiated');
    const g = ctx.grad()!;
    if (!ctx.hasInput(1) && !ctx.hasInput(2)) return [g];
    const inside = ctx.op('Equal', [ctx.output(0), ctx.input(0)]);
    return [ctx.op('Where', [inside, g, ctx.floats([0], [])])];
  },
};
