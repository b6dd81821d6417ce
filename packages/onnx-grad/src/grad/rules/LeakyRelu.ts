import type { GradientRule } from '../rule.js';

/**
 * d leaky_relu(x) = dy · (x > 0 ? 1 : α), α the `alpha` attribute (default 0.01). At x = 0 the slope is α, as in
 * PyTorch's `leaky_relu_backward`.
 */
export const LeakyRelu: GradientRule = {
  opType: 'LeakyRelu',
  broadcastsForwardValues: 'elementwise',
  backward(ctx) {
    const alpha = ctx.attrFloat('alpha', 0.01);
    const slope = ctx.op('Where', [ctx.op('Greater', [ctx.input(0), ctx.floats([0], [])]), ctx.floats([1], []), ctx.floats([alpha], [])]);
    return [ctx.op('Mul', [ctx.grad()!, slope])];
  },
};
