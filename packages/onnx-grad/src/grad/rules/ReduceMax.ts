import type { GradientRule, RuleContext } from '../rule.js';
import { reduction, withKeptAxes } from './ReduceSum.js';

/**
 * Gradient of ReduceMax / ReduceMin: the cotangent goes to the elements equal to the extremum, split evenly among
 * ties (as PyTorch's `amax`/`amin` do): m = [x = y], dx = m · dy / Σ_axes m.
 */
export function extremumBackward(ctx: RuleContext): (string | undefined)[] {
  const g = ctx.grad()!;
  const r = reduction(ctx);
  if (r === null) return [g, undefined];
  const hit = ctx.op('Where', [ctx.op('Equal', [ctx.input(0), withKeptAxes(ctx, ctx.output(0), r)]), ctx.floats([1], []), ctx.floats([0], [])]);
  const count = ctx.op('ReduceSum', [hit, ctx.ints(r.axes)], { keepdims: 1n });
  return [ctx.op('Mul', [hit, ctx.op('Div', [withKeptAxes(ctx, g, r), count])]), undefined];
}

/** y = max_axes x: dx = [x = y] · dy / #ties (ties share the cotangent evenly, as PyTorch's `amax`). */
export const ReduceMax: GradientRule = { opType: 'ReduceMax', backward: extremumBackward };
