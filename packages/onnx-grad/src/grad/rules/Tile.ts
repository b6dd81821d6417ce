import type { GradientRule } from '../rule.js';

/**
 * y = tile(x, r): along each axis y holds r_i copies of x, y[j] = x[j mod d_i]. Viewing that axis as [r_i, d_i],
 * dx = Σ over every r_i axis of reshape(dy, […, r_i, d_i, …]). A repeat of 0 leaves y empty: dx = 0.
 */
export const Tile: GradientRule = {
  opType: 'Tile',
  backward(ctx) {
    const g = ctx.grad()!;
    const shape = ctx.inputShape(0);
    const repeats = ctx.constInts(1) ?? ctx.fail('repeats (input 1) must be a compile-time constant');
    if (repeats.length !== shape.length || repeats.some((r) => r < 0)) ctx.fail(`repeats [${repeats.join(', ')}] do not match rank ${shape.length}`);
    if (repeats.includes(0)) return [ctx.op('Expand', [ctx.floats([0], []), ctx.ints(shape)]), undefined];
    const split: number[] = [];
    const copyAxes: number[] = [];
    shape.forEach((d, i) => {
      if (repeats[i]! !== 1) copyAxes.push(split.push(repeats[i]!) - 1);
      split.push(d);
    });
    if (copyAxes.length === 0) return [g, undefined];
    const summed = ctx.op('ReduceSum', [ctx.op('Reshape', [g, ctx.ints(split)]), ctx.ints(copyAxes)], { keepdims: 0n });
    return [summed, undefined];
  },
};
