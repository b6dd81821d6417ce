import type { GradientRule } from '../rule.js';

/**
 * (y₀, y₁, …) = split(x) along an axis: dx = concat(dy₀, dy₁, …) along that axis, an output that does not reach the
 * explained output contributing zeros (a lone cotangent is padded with zeros instead).
 */
export const Split: GradientRule = {
  opType: 'Split',
  backward(ctx) {
    const shape = ctx.inputShape(0);
    const axis = ctx.attrInt('axis', 0);
    const a = axis < 0 ? axis + shape.length : axis;
    if (a < 0 || a >= shape.length) ctx.fail(`axis ${axis} out of range for rank ${shape.length}`);
    const outputs = ctx.node.output.map((_, i) => i);
    const grads = outputs.map((i) => ctx.grad(i));
    const used = outputs.filter((i) => grads[i] !== undefined);
    if (used.length === 1) {
      const i = used[0]!;
      const before = outputs.slice(0, i).reduce((s, j) => s + ctx.outputShape(j)[a]!, 0);
      const after = shape[a]! - before - ctx.outputShape(i)[a]!;
      const pads = shape.map((_, d) => (d === a ? before : 0)).concat(shape.map((_, d) => (d === a ? after : 0)));
      return [ctx.op('Pad', [grads[i]!, ctx.ints(pads)]), undefined];
    }
    const parts = outputs.map((i) => grads[i] ?? ctx.op('Expand', [ctx.floats([0], []), ctx.ints(ctx.outputShape(i))]));
    return [ctx.op('Concat', parts, { axis: BigInt(a) }), undefined];
  },
};
