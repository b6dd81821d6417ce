import type { GradientRule, RuleContext } from '../rule.js';

/** What a Reduce* node reduces: sorted non-negative axes, and whether they are kept as size-1 axes. */
export interface Reduction {
  readonly axes: number[];
  readonly keepdims: boolean;
  /** The output shape with the reduced axes kept as 1 (the shape the cotangent is broadcast back from). */
  readonly keptShape: number[];
}

/**
 * The axes a Reduce* node reduces, read from input 1 (ReduceSum since opset 13, the others since 18) or from the
 * `axes` attribute (before); empty axes mean every axis, or no reduction at all with `noop_with_empty_axes = 1`
 * (then this returns null).
 */
export function reduction(ctx: RuleContext): Reduction | null {
  const shape = ctx.inputShape(0);
  let axes: number[];
  if (ctx.hasInput(1)) {
    const given = ctx.constInts(1);
    if (given === undefined) ctx.fail('axes (input 1) must be a compile-time constant');
    axes = given;
  } else {
    axes = ctx.attrInts('axes', []);
  }
  if (axes.length === 0) {
    if (ctx.attrInt('noop_with_empty_axes', 0) !== 0) return null;
    axes = shape.map((_, i) => i);
  }
  const normalized = [...new Set(axes.map((a) => (a < 0 ? a + shape.length : a)))].sort((a, b) => a - b);
  if (normalized.some((a) => a < 0 || a >= shape.length)) ctx.fail(`axes [${axes.join(', ')}] out of range for rank ${shape.length}`);
  return { axes: normalized, keepdims: ctx.attrInt('keepdims', 1) !== 0, keptShape: shape.map((d, i) => (normalized.includes(i) ? 1 : d)) };
}

/** A reduced value (the cotangent or the output) with the reduced axes present as size 1. */
export function withKeptAxes(ctx: RuleContext, value: string, r: Reduction): string {
  return r.keepdims ? value : ctx.op('Reshape', [value, ctx.ints(r.keptShape)]);
}

/** y = Σ_axes x: every x shares its sum's cotangent, dx = expand(dy) to x's shape. */
export const ReduceSum: GradientRule = {
  opType: 'ReduceSum',
  backward(ctx) {
    const g = ctx.grad()!;
    const r = reduction(ctx);
    if (r === null) return [g, undefined];
    return [ctx.op('Expand', [withKeptAxes(ctx, g, r), ctx.ints(ctx.inputShape(0))]), undefined];
  },
};
