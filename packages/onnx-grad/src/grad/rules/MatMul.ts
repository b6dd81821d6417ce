import type { GradientRule } from '../rule.js';

/** Swaps the last two axes of a shape (a 1-D operand is treated as a row or a column, as numpy's matmul does). */
function transposeLast(ctx: Parameters<GradientRule['backward']>[0], value: string, rank: number): string {
  const perm = Array.from({ length: rank }, (_, i) => BigInt(i));
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1]!, perm[rank - 2]!];
  return ctx.op('Transpose', [value], { perm });
}

/**
 * Y = A·B (numpy semantics, batched and broadcast): dA = dY·Bᵀ, dB = Aᵀ·dY, each summed over broadcast batch axes.
 * 1-D operands are promoted to matrices first and the promotion undone after.
 */
export const MatMul: GradientRule = {
  opType: 'MatMul',
  broadcastsForwardValues: 'matmul',
  backward(ctx) {
    const aShape = ctx.inputShape(0);
    const bShape = ctx.inputShape(1);
    if (aShape.length < 1 || bShape.length < 1) ctx.fail('scalar operands are not valid for MatMul');
    // Promote 1-D operands: a [k] → [1, k]; b [k] → [k, 1]; the output gains the matching axis.
    const a2 = aShape.length === 1 ? [1, aShape[0]!] : aShape;
    const b2 = bShape.length === 1 ? [bShape[0]!, 1] : bShape;
    const a = aShape.length === 1 ? ctx.op('Reshape', [ctx.input(0), ctx.ints(a2)]) : ctx.input(0);
    const b = bShape.length === 1 ? ctx.op('Reshape', [ctx.input(1), ctx.ints(b2)]) : ctx.input(1);
    const batch = broadcastShapes(a2.slice(0, -2), b2.slice(0, -2));
    const yShape = [...batch, a2.at(-2)!, b2.at(-1)!];
    const g = ctx.op('Reshape', [ctx.grad()!, ctx.ints(yShape)]);
    const result: (string | undefined)[] = [undefined, undefined];
    if (ctx.needsGrad(0)) {
      const da = ctx.op('MatMul', [g, transposeLast(ctx, b, b2.length)]);
      result[0] = ctx.unbroadcast(da, [...batch, a2.at(-2)!, a2.at(-1)!], aShape.length === 1 ? [1, aShape[0]!] : aShape);
      if (aShape.length === 1) result[0] = ctx.op('Reshape', [result[0], ctx.ints(aShape)]);
    }
    if (ctx.needsGrad(1)) {
      const db = ctx.op('MatMul', [transposeLast(ctx, a, a2.length), g]);
      result[1] = ctx.unbroadcast(db, [...batch, b2.at(-2)!, b2.at(-1)!], bShape.length === 1 ? [bShape[0]!, 1] : bShape);
      if (bShape.length === 1) result[1] = ctx.op('Reshape', [result[1], ctx.ints(bShape)]);
    }
    return result;
  },
};

function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const pa = [...Array<number>(rank - a.length).fill(1), ...a];
  const pb = [...Array<number>(rank - b.length).fill(1), ...b];
  return pa.map((d, i) => Math.max(d, pb[i]!));
}
