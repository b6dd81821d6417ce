import { DataType } from '../../onnx/tensor-proto.js';
import type { GradientRule, RuleContext } from '../rule.js';

/**
 * The boolean mask [idx = j] of the runtime indices of input 1 (negative ones counting from the end, axis size s):
 * idx viewed as `view`, compared with 0…s−1 laid along the axis where `view` has its inserted size-1 axis `hotAxis`.
 */
export function indexHits(ctx: RuleContext, view: readonly number[], hotAxis: number, s: number): string {
  const given = ctx.inputType(1) === DataType.INT64 ? ctx.input(1) : ctx.op('Cast', [ctx.input(1)], { to: BigInt(DataType.INT64) });
  const idx = ctx.op('Mod', [ctx.op('Reshape', [given, ctx.ints(view)]), ctx.ints([s], [])]);
  const positions = ctx.ints(Array.from({ length: s }, (_, j) => j), view.map((_, d) => (d === hotAxis ? s : 1)));
  return ctx.op('Equal', [idx, positions]);
}

/**
 * y = gather(x, idx) along axis a: y[…, m, …] = x[…, idx[m], …] over the M index entries, so
 * dx[…, j, …] = Σ_{m : idx[m] = j} dy[…, m, …] (duplicates add up; negative indices count from the end).
 * - Compile-time indices: the t-th occurrences of every j are picked from dy by one Gather (a zero slot appended to dy
 *   stands in where j has fewer), and the Gathers of all t are summed.
 * - Runtime indices: ScatterElements with reduction `add` into zeros (opset ≥ 16), else a one-hot matrix
 *   [j = idx[m]] of shape [s, M] multiplied into dy viewed as [P, M, Q].
 */
export const Gather: GradientRule = {
  opType: 'Gather',
  backward(ctx) {
    const shape = ctx.inputShape(0);
    const rank = shape.length;
    const axis = ctx.attrInt('axis', 0);
    const a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) ctx.fail(`axis ${axis} out of range for rank ${rank}`);
    const s = shape[a]!;
    const m = ctx.inputShape(1).reduce((p, d) => p * d, 1);
    const flat = [...shape.slice(0, a), m, ...shape.slice(a + 1)];
    const g = ctx.inputShape(1).length === 1 ? ctx.grad()! : ctx.op('Reshape', [ctx.grad()!, ctx.ints(flat)]);
    const indices = ctx.constInts(1);
    if (indices !== undefined) return [fromConstantIndices(ctx, g, indices, flat, a, s), undefined];
    if (ctx.opset >= 16) {
      const where = ctx.op('Expand', [ctx.op('Reshape', [ctx.input(1), ctx.ints(flat.map((d, i) => (i === a ? d : 1)))]), ctx.ints(flat)]);
      const zeros = ctx.op('Expand', [ctx.floats([0], []), ctx.ints(shape)]);
      return [ctx.op('ScatterElements', [zeros, where, g], { axis: BigInt(a), reduction: 'add' }), undefined];
    }
    const before = shape.slice(0, a).reduce((p, d) => p * d, 1);
    const after = shape.slice(a + 1).reduce((p, d) => p * d, 1);
    const hot = ctx.op('Where', [indexHits(ctx, [1, m], 0, s), ctx.floats([1], []), ctx.floats([0], [])]);
    const summed = ctx.op('MatMul', [hot, ctx.op('Reshape', [g, ctx.ints([before, m, after])])]);
    return [ctx.op('Reshape', [summed, ctx.ints(shape)]), undefined];
  },
};

/** dx from compile-time indices: Σ_t gather(dy ⧺ 0, pick_t), pick_t[j] the t-th m with idx[m] = j (or the zero slot). */
function fromConstantIndices(ctx: RuleContext, g: string, indices: readonly number[], flat: readonly number[], a: number, s: number): string {
  const m = indices.length;
  const sources: number[][] = Array.from({ length: s }, () => []);
  indices.forEach((v, i) => {
    const j = v < 0 ? v + s : v;
    if (j < 0 || j >= s) ctx.fail(`index ${v} out of range for an axis of size ${s}`);
    sources[j]!.push(i);
  });
  const levels = sources.reduce((most, l) => Math.max(most, l.length), 0);
  const picks = Array.from({ length: levels }, (_, t) => sources.map((l) => l[t] ?? m));
  if (levels === 0) return ctx.op('Expand', [ctx.floats([0], []), ctx.ints(flat.map((d, i) => (i === a ? s : d)))]);
  if (levels === 1 && m === s && picks[0]!.every((i, j) => i === j)) return g;
  // One index (q, k and v taken from one tensor): the block placed there, joined by Concat with its siblings.
  if (m === 1) return ctx.placed(g, a, sources.findIndex((l) => l.length > 0), 1, flat.map((d, i) => (i === a ? s : d)));
  let source = g;
  if (picks.some((p) => p.includes(m))) {
    const pads = Array<number>(2 * flat.length).fill(0);
    pads[flat.length + a] = 1;
    source = ctx.op('Pad', [g, ctx.ints(pads)]);
  }
  const parts = picks.map((p) => ctx.op('Gather', [source, ctx.ints(p)], { axis: BigInt(a) }));
  return parts.length === 1 ? parts[0]! : ctx.op('Sum', parts);
}
