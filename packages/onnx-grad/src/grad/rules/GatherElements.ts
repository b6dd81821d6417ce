import type { GradientRule } from '../rule.js';
import { indexHits } from './Gather.js';

/**
 * y = gather_elements(x, idx) along axis a: y[…, i, …] = x[…, idx[…, i, …], …], so dx[…, j, …] = Σ_{i : idx[…, i, …] = j}
 * dy[…, i, …] (duplicates add up; negative indices count from the end). Opset ≥ 16: ScatterElements with reduction
 * `add` into zeros. Before: the mask [idx = j] along a new axis after a selects dy, summed over a, then zero-padded
 * where idx is smaller than x on the other axes.
 */
export const GatherElements: GradientRule = {
  opType: 'GatherElements',
  backward(ctx) {
    const g = ctx.grad()!;
    const shape = ctx.inputShape(0);
    const rank = shape.length;
    const axis = ctx.attrInt('axis', 0);
    const a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) ctx.fail(`axis ${axis} out of range for rank ${rank}`);
    if (ctx.opset >= 16) {
      const zeros = ctx.op('Expand', [ctx.floats([0], []), ctx.ints(shape)]);
      return [ctx.op('ScatterElements', [zeros, ctx.input(1), g], { axis: BigInt(a), reduction: 'add' }), undefined];
    }
    const idxShape = ctx.inputShape(1);
    const view = [...idxShape.slice(0, a + 1), 1, ...idxShape.slice(a + 1)];
    const hits = indexHits(ctx, view, a + 1, shape[a]!);
    const picked = ctx.op('Where', [hits, ctx.op('Reshape', [g, ctx.ints(view)]), ctx.floats([0], [])]);
    const summed = ctx.op('ReduceSum', [picked, ctx.ints([a])], { keepdims: 0n });
    const short = shape.map((d, i) => (i === a ? 0 : d - idxShape[i]!));
    return [short.every((p) => p === 0) ? summed : ctx.op('Pad', [summed, ctx.ints([...short.map(() => 0), ...short])]), undefined];
  },
};
