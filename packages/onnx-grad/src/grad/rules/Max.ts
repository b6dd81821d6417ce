import type { GradientRule, RuleContext } from '../rule.js';

/**
 * The gradient of an n-ary Max or Min (y the selected value, inputs broadcast): dy goes to the input that was
 * selected; where k inputs tie, each gets dy / k. For two inputs this is PyTorch's `torch.maximum`/`torch.minimum`
 * convention (ties split 0.5/0.5), which is also what the central finite difference sees at a tie.
 * dxᵢ = unbroadcast(dy · [xᵢ = y] / Σⱼ [xⱼ = y]).
 */
export function selectionGradients(ctx: RuleContext): (string | undefined)[] {
  const g = ctx.grad()!;
  const n = ctx.inputCount;
  if (n === 1) return [g];
  const y = ctx.output(0);
  const out = ctx.outputShape(0);
  const selected = Array.from({ length: n }, (_, i) => ctx.op('Cast', [ctx.op('Equal', [ctx.input(i), y])], { to: BigInt(ctx.inputType(0)) }));
  const share = ctx.op('Div', [g, ctx.op('Sum', selected)]);
  return selected.map((mask, i) => (ctx.needsGrad(i) ? ctx.unbroadcast(ctx.op('Mul', [share, mask]), out, ctx.inputShape(i)) : undefined));
}

/** y = max(x₁, …, xₙ), broadcast: dy goes to the maximum, split evenly between tied inputs (see {@link selectionGradients}). */
export const Max: GradientRule = {
  opType: 'Max',
  backward: selectionGradients,
};
