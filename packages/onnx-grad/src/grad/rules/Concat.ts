import type { GradientRule } from '../rule.js';

/** y = concat(x₀, x₁, …) along an axis: dy is cut back into the inputs' extents along that axis, dxᵢ = dy[oᵢ : oᵢ + nᵢ]. */
export const Concat: GradientRule = {
  opType: 'Concat',
  backward(ctx) {
    const g = ctx.grad()!;
    const rank = ctx.outputShape(0).length;
    const axis = ctx.attrInt('axis');
    const a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) ctx.fail(`axis ${axis} out of range for rank ${rank}`);
    const inputs = Array.from({ length: ctx.inputCount }, (_, i) => i);
    const sizes = inputs.map((i) => ctx.inputShape(i)[a]!);
    const needed = inputs.filter((i) => ctx.needsGrad(i));
    if (needed.length === 0) return [];
    if (needed.length === 1) {
      // One input to explain: a single Slice is cheaper than splitting every part.
      const i = needed[0]!;
      const start = sizes.slice(0, i).reduce((s, n) => s + n, 0);
      const part = ctx.op('Slice', [g, ctx.ints([start]), ctx.ints([start + sizes[i]!]), ctx.ints([a])]);
      return inputs.map((j) => (j === i ? part : undefined));
    }
    const parts = ctx.ops('Split', [g, ctx.ints(sizes)], sizes.length, { axis: BigInt(a) });
    return inputs.map((i) => (ctx.needsGrad(i) ? parts[i] : undefined));
  },
};
