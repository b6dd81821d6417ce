import type { GradientRule, RuleContext } from '../rule.js';

/** A compile-time integer input, or `fallback` when it is omitted. */
function constInput(ctx: RuleContext, i: number, name: string, fallback?: number[]): number[] {
  if (!ctx.hasInput(i)) return fallback ?? ctx.fail(`${name} (input ${i}) is missing`);
  return ctx.constInts(i) ?? ctx.fail(`${name} (input ${i}) must be a compile-time constant`);
}

const clamp = (v: number, min: number, max: number): number => Math.min(Math.max(v, min), max);

/**
 * y = x[start : end : step] along some axes. dx is dy scattered back into zeros: along an axis with step s the m
 * picked indices are lo, lo + |s|, …, lo + (m − 1)|s| (lo the smallest), so dy is reversed where s < 0, spread to every
 * |s|-th slot where |s| > 1 (reshape to [m, 1], zero-pad to [m, |s|], merge), and zero-padded to x's extent:
 * `pads = [lo, d − lo − m|s|]` (negative pads crop the trailing zeros of the spreading).
 */
export const Slice: GradientRule = {
  opType: 'Slice',
  backward(ctx) {
    const shape = ctx.inputShape(0);
    const out = ctx.outputShape(0);
    const rank = shape.length;
    const starts = constInput(ctx, 1, 'starts');
    const ends = constInput(ctx, 2, 'ends');
    const axes = constInput(ctx, 3, 'axes', starts.map((_, j) => j));
    const steps = constInput(ctx, 4, 'steps', starts.map(() => 1));
    if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) ctx.fail('starts, ends, axes and steps differ in length');
    const lo = Array<number>(rank).fill(0);
    const stride = Array<number>(rank).fill(1);
    const reversed: number[] = [];
    for (let j = 0; j < starts.length; j++) {
      const a = axes[j]! < 0 ? axes[j]! + rank : axes[j]!;
      const d = shape[a]!;
      const step = steps[j]!;
      if (a < 0 || a >= rank) ctx.fail(`axis ${axes[j]} out of range for rank ${rank}`);
      if (step === 0) ctx.fail('a step of 0 is not valid');
      const s = starts[j]! < 0 ? starts[j]! + d : starts[j]!;
      const e = ends[j]! < 0 ? ends[j]! + d : ends[j]!;
      const first = step > 0 ? clamp(s, 0, d) : clamp(s, 0, d - 1);
      const count = step > 0 ? Math.ceil((clamp(e, 0, d) - first) / step) : Math.ceil((first - clamp(e, -1, d - 1)) / -step);
      if (Math.max(count, 0) !== out[a]) ctx.fail(`the slice of axis ${a} has ${Math.max(count, 0)} elements, the output ${out[a]}`);
      if (count <= 0) return [ctx.op('Expand', [ctx.floats([0], []), ctx.ints(shape)])];
      lo[a] = step > 0 ? first : first + (count - 1) * step;
      if (count > 1) {
        stride[a] = Math.abs(step);
        if (step < 0) reversed.push(a);
      }
    }
    let g = ctx.grad()!;
    if (reversed.length > 0) {
      g = ctx.op('Slice', [g, ctx.ints(reversed.map(() => -1)), ctx.ints(reversed.map((a) => -out[a]! - 1)), ctx.ints(reversed), ctx.ints(reversed.map(() => -1))]);
    }
    if (stride.some((s) => s > 1)) {
      const spread = out.flatMap((m, a) => (stride[a]! > 1 ? [m, 1] : [m]));
      const after = out.flatMap((_, a) => (stride[a]! > 1 ? [0, stride[a]! - 1] : [0]));
      const padded = ctx.op('Pad', [ctx.op('Reshape', [g, ctx.ints(spread)]), ctx.ints([...after.map(() => 0), ...after])]);
      g = ctx.op('Reshape', [padded, ctx.ints(out.map((m, a) => m * stride[a]!))]);
    }
    const after = shape.map((d, a) => d - lo[a]! - out[a]! * stride[a]!);
    const padded = shape.map((_, a) => a).filter((a) => lo[a] !== 0 || after[a] !== 0);
    if (padded.length === 0) return [g];
    // A block along one axis (torch.roll's two slices): placed, so that blocks covering the input join by Concat.
    if (padded.length === 1) {
      const [axis] = padded as [number];
      return [ctx.placed(g, axis, lo[axis]!, out[axis]! * stride[axis]!, shape)];
    }
    return [ctx.op('Pad', [g, ctx.ints([...lo, ...after])])];
  },
};
