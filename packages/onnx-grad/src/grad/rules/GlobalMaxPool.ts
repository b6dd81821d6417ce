import type { GradientRule } from '../rule.js';

/**
 * Y[n, c] = max of X[n, c, …] over space, so dX = dY at the first position of the maximum (ArgMax's choice, as
 * MaxPool's), zero elsewhere: a ScatterElements of dY into zeros along the flattened spatial axis.
 */
export const GlobalMaxPool: GradientRule = {
  opType: 'GlobalMaxPool',
  backward(ctx) {
    const xShape = ctx.inputShape(0);
    const [n, c] = xShape as [number, number];
    const flat = [n, c, xShape.slice(2).reduce((a, b) => a * b, 1)];
    const argmax = ctx.op('ArgMax', [ctx.op('Reshape', [ctx.input(0), ctx.ints(flat)])], { axis: 2n, keepdims: 1n });
    const zeros = ctx.op('Expand', [ctx.floats([0], []), ctx.ints(flat)]);
    const dx = ctx.op('ScatterElements', [zeros, argmax, ctx.op('Reshape', [ctx.grad()!, ctx.ints([n, c, 1])])], { axis: 2n });
    return [ctx.op('Reshape', [dx, ctx.ints(xShape)])];
  },
};
