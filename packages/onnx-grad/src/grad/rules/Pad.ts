import type { GradientRule, RuleContext } from '../rule.js';

/** `x[start : end : step]` along one axis. */
function range(ctx: RuleContext, g: string, axis: number, start: number, end: number, step = 1): string {
  return ctx.op('Slice', [g, ctx.ints([start]), ctx.ints([end]), ctx.ints([axis]), ctx.ints([step])]);
}

/** Zero-pads one axis by `before` and `after`. */
function padAxis(ctx: RuleContext, g: string, rank: number, axis: number, before: number, after: number): string {
  const pads = Array<number>(2 * rank).fill(0);
  pads[axis] = before;
  pads[rank + axis] = after;
  return ctx.op('Pad', [g, ctx.ints(pads)]);
}

/** Edge padding repeats x[0] p times and x[d−1] q times: their cotangents sum into them. */
function edgeAxis(ctx: RuleContext, g: string, axis: number, p: number, d: number, q: number): string {
  const sum = (v: string) => ctx.op('ReduceSum', [v, ctx.ints([axis])], { keepdims: 1n });
  if (d === 1) return sum(g);
  const first = p > 0 ? sum(range(ctx, g, axis, 0, p + 1)) : range(ctx, g, axis, 0, 1);
  const last = q > 0 ? sum(range(ctx, g, axis, p + d - 1, p + d + q)) : range(ctx, g, axis, p + d - 1, p + d);
  const middle = d > 2 ? [range(ctx, g, axis, p + 1, p + d - 1)] : [];
  return ctx.op('Concat', [first, ...middle, last], { axis: BigInt(axis) });
}

/** Reflect padding mirrors x[1..p] before x and x[d−1−q..d−2] after it (the edge itself not repeated). */
function reflectAxis(ctx: RuleContext, g: string, rank: number, axis: number, p: number, d: number, q: number): string {
  if (p > d - 1 || q > d - 1) ctx.fail(`reflect pads (${p}, ${q}) exceed the axis size ${d} minus 1`);
  const parts = [range(ctx, g, axis, p, p + d)];
  if (p > 0) parts.push(padAxis(ctx, range(ctx, g, axis, p - 1, -(p + d + q) - 1, -1), rank, axis, 1, d - 1 - p));
  if (q > 0) parts.push(padAxis(ctx, range(ctx, g, axis, p + d + q - 1, p + d - 1, -1), rank, axis, d - 1 - q, 1));
  return parts.length === 1 ? parts[0]! : ctx.op('Sum', parts);
}

/**
 * y = pad(x). Mode `constant`: y holds x at an offset, so dx = pad(dy, −pads) — positive pads crop dy, negative pads
 * (x was cropped) zero-fill it. Modes `edge` and `reflect` copy x's border elements into the padding: per axis, the
 * cotangents of the copies are added to their sources. The constant value gets no cotangent (it must not depend on
 * the differentiated input); mode `wrap` is not supported.
 */
export const Pad: GradientRule = {
  opType: 'Pad',
  backward(ctx) {
    const shape = ctx.inputShape(0);
    const rank = shape.length;
    const given = ctx.constInts(1) ?? ctx.fail('pads (input 1) must be a compile-time constant');
    const axes = ctx.hasInput(3) ? (ctx.constInts(3) ?? ctx.fail('axes (input 3) must be a compile-time constant')) : shape.map((_, a) => a);
    if (given.length !== 2 * axes.length) ctx.fail(`${given.length} pads for ${axes.length} axes`);
    if (ctx.needsGrad(2)) ctx.fail('the constant value (input 2) depends on the differentiated input; its gradient is not supported');
    const before = Array<number>(rank).fill(0);
    const after = Array<number>(rank).fill(0);
    axes.forEach((axis, j) => {
      const a = axis < 0 ? axis + rank : axis;
      before[a] = given[j]!;
      after[a] = given[axes.length + j]!;
    });
    const mode = ctx.attrString('mode', 'constant');
    let g = ctx.grad()!;
    if ([...before, ...after].every((p) => p === 0)) return [g]; // (Swin pads to whole windows, by 0 when they fit)
    if (mode === 'constant') return [ctx.op('Pad', [g, ctx.ints([...before, ...after].map((p) => -p))])];
    if (mode !== 'edge' && mode !== 'reflect') ctx.fail(`mode '${mode}' is not supported`);
    if ([...before, ...after].some((p) => p < 0)) ctx.fail(`negative pads in mode '${mode}' are not supported`);
    shape.forEach((d, a) => {
      if (before[a] === 0 && after[a] === 0) return;
      g = mode === 'edge' ? edgeAxis(ctx, g, a, before[a]!, d, after[a]!) : reflectAxis(ctx, g, rank, a, before[a]!, d, after[a]!);
    });
    return [g];
  },
};
