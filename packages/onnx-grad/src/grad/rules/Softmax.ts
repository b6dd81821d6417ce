import type { GradientRule, RuleContext } from '../rule.js';

/** The `axis` attribute (default −1 since opset 13), made non-negative; shared with LogSoftmax. */
export function softmaxAxis(ctx: RuleContext): number {
  const rank = ctx.inputShape(0).length;
  const axis = ctx.attrInt('axis', -1);
  if (axis < -rank || axis >= rank) ctx.fail(`axis ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/** y = softmax(x) along `axis`: dx = y · (dy − Σ_axis dy · y). */
export const Softmax: GradientRule = {
  opType: 'Softmax',
  broadcastsForwardValues: 'elementwise',
  backward(ctx) {
    const g = ctx.grad()!;
    const y = ctx.output(0);
    const dot = ctx.op('ReduceSum', [ctx.op('Mul', [g, y]), ctx.ints([softmaxAxis(ctx)])], { keepdims: 1n });
    return [ctx.op('Mul', [y, ctx.op('Sub', [g, dot])])];
  },
};
