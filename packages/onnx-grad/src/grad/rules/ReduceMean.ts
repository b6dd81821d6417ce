import type { GradientRule } from '../rule.js';
import { reduction, withKeptAxes } from './ReduceSum.js';

/** y = (1/n) Σ_axes x, n the number of elements averaged: dx = expand(dy / n) to x's shape. */
export const ReduceMean: GradientRule = {
  opType: 'ReduceMean',
  backward(ctx) {
    const g = ctx.grad()!;
    const r = reduction(ctx);
    if (r === null) return [g, undefined];
    const shape = ctx.inputShape(0);
    const n = r.axes.reduce((p, a) => p * shape[a]!, 1);
    const scaled = ctx.op('Mul', [withKeptAxes(ctx, g, r), ctx.floats([1 / n], [])]);
    return [ctx.op('Expand', [scaled, ctx.ints(shape)]), undefined];
  },
};
