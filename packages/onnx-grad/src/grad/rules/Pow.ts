import type { GradientRule } from '../rule.js';

/**
 * y = aᵇ: da = dy · b · aᵇ⁻¹ and db = dy · y · ln a, each unbroadcast. db is 0 where a = 0, as PyTorch masks it
 * (there y · ln a would be 0 · −∞). An exponent of another type than the base (allowed since opset 12, e.g. an int64
 * constant) is cast to the base's type for da; an integer exponent gets no gradient.
 */
export const Pow: GradientRule = {
  opType: 'Pow',
  broadcastsForwardValues: 'elementwise',
  backward(ctx) {
    const g = ctx.grad()!;
    const out = ctx.outputShape(0);
    const a = ctx.input(0);
    const sameType = ctx.inputType(0) === ctx.inputType(1);
    const result: (string | undefined)[] = [undefined, undefined];
    if (ctx.needsGrad(0)) {
      const b = sameType ? ctx.input(1) : ctx.op('Cast', [ctx.input(1)], { to: BigInt(ctx.inputType(0)) });
      const slope = ctx.op('Mul', [b, ctx.op('Pow', [a, ctx.op('Sub', [b, ctx.floats([1], [])])])]);
      result[0] = ctx.unbroadcast(ctx.op('Mul', [g, slope]), out, ctx.inputShape(0));
    }
    if (ctx.needsGrad(1)) {
      const zero = ctx.floats([0], []);
      const yLogA = ctx.op('Where', [ctx.op('Equal', [a, zero]), zero, ctx.op('Mul', [ctx.output(0), ctx.op('Log', [a])])]);
      const db = ctx.unbroadcast(ctx.op('Mul', [g, yLogA]), out, ctx.inputShape(1));
      result[1] = sameType ? db : ctx.op('Cast', [db], { to: BigInt(ctx.inputType(1)) });
    }
    return result;
  },
};
