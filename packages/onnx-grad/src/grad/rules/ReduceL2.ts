import type { GradientRule } from '../rule.js';
import { reduction, withKeptAxes } from './ReduceSum.js';

/**
 * y = √(Σ_axes x²): dx = dy · x / y. Where y = 0 (all x = 0) the subgradient 0 is taken, as PyTorch's `norm` does:
 * x / max(y, tiny) is exact for y ≥ tiny and bounded by 1 below it. With `noop_with_empty_axes` and no axes,
 * onnxruntime returns x itself: dx = dy.
 */
export const ReduceL2: GradientRule = {
  opType: 'ReduceL2',
  backward(ctx) {
    const g = ctx.grad()!;
    const r = reduction(ctx);
    if (r === null) return [g, undefined];
    const y = ctx.op('Max', [withKeptAxes(ctx, ctx.output(0), r), ctx.floats([1e-30], [])]);
    return [ctx.op('Mul', [ctx.op('Div', [ctx.input(0), y]), withKeptAxes(ctx, g, r)]), undefined];
  },
};
