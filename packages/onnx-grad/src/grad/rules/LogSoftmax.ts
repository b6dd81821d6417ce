import type { GradientRule } from '../rule.js';
import { softmaxAxis } from './Softmax.js';

/** y = log softmax(x) along `axis`: dx = dy − exp(y) · Σ_axis dy. */
export const LogSoftmax: GradientRule = {
  opType: 'LogSoftmax',
  broadcastsForwardValues: 'elementwise',
  backward(ctx) {
    const g = ctx.grad()!;
    const total = ctx.op('ReduceSum', [g, ctx.ints([softmaxAxis(ctx)])], { keepdims: 1n });
    return [ctx.op('Sub', [g, ctx.op('Mul', [ctx.op('Exp', [ctx.output(0)]), total])])];
  },
};
