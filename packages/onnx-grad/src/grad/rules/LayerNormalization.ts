import type { GradientRule, RuleContext } from '../rule.js';

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

/** Mean over `axes`, keeping them; ReduceMean takes its axes as an attribute up to opset 17, as an input from 18. */
function meanOver(ctx: RuleContext, v: string, axes: readonly number[]): string {
  if (ctx.opset >= 18) return ctx.op('ReduceMean', [v, ctx.ints(axes)], { keepdims: 1n });
  return ctx.op('ReduceMean', [v], { axes: axes.map((a) => BigInt(a)), keepdims: 1n });
}

/**
 * y = x̂·scale + B with x̂ = (x − μ)·σ⁻¹, μ and σ² the mean and variance over the axes from `axis` on (D elements),
 * σ⁻¹ = 1/√(σ² + ε). With ĝ = dY·scale and ⟨·⟩ the mean over those axes:
 * dX = σ⁻¹·(ĝ − ⟨ĝ⟩ − x̂·⟨ĝ·x̂⟩), plus dMean/D and −dInvStdDev·σ⁻²·x̂/D when the Mean and InvStdDev outputs carry
 * cotangents; dscale = Σ dY·x̂ and dB = Σ dY over the other axes. x̂, μ and σ⁻¹ come from one LayerNormalization
 * with unit scale.
 */
export const LayerNormalization: GradientRule = {
  opType: 'LayerNormalization',
  broadcastsForwardValues: 'elementwise',
  backward(ctx) {
    const xShape = ctx.inputShape(0);
    const rank = xShape.length;
    const given = ctx.attrInt('axis', -1);
    const axis = given < 0 ? given + rank : given;
    if (axis < 0 || axis >= rank) ctx.fail(`axis ${given} is out of range for an input of rank ${rank}`);
    const axes = range(axis, rank);
    const size = xShape.slice(axis).reduce((a, b) => a * b, 1);
    const stash = ctx.attrInt('stash_type', 1);
    // Mean and InvStdDev have the stash type (float unless stash_type says otherwise): bring them to x's.
    const xType = ctx.inputType(0);
    const asX = (v: string | undefined) => (v === undefined || stash === xType ? v : ctx.op('Cast', [v], { to: BigInt(xType) }));
    const [g, gMean, gInvStd] = [ctx.grad(0), asX(ctx.grad(1)), asX(ctx.grad(2))];
    let xHat = '';
    let invStd = '';
    if (g !== undefined || gInvStd !== undefined) {
      const unit = ctx.op('Expand', [ctx.floats([1], []), ctx.ints(xShape.slice(axis))]);
      const outputs = ctx.ops('LayerNormalization', [ctx.input(0), unit], 3, { axis: BigInt(axis), epsilon: ctx.attrFloat('epsilon', 1e-5), stash_type: BigInt(stash) });
      [xHat, invStd] = [outputs[0]!, asX(outputs[2])!];
    }
    const terms: string[] = [];
    if (g !== undefined) {
      const gHat = ctx.op('Mul', [g, ctx.input(1)]);
      const centred = ctx.op('Sub', [ctx.op('Sub', [gHat, meanOver(ctx, gHat, axes)]), ctx.op('Mul', [xHat, meanOver(ctx, ctx.op('Mul', [gHat, xHat]), axes)])]);
      terms.push(ctx.op('Mul', [centred, invStd]));
    }
    if (gMean !== undefined) terms.push(ctx.op('Expand', [ctx.op('Mul', [gMean, ctx.floats([1 / size], [])]), ctx.ints(xShape)]));
    if (gInvStd !== undefined) {
      const perRow = ctx.op('Mul', [gInvStd, ctx.op('Mul', [ctx.op('Mul', [invStd, invStd]), ctx.floats([-1 / size], [])])]);
      terms.push(ctx.op('Mul', [xHat, perRow]));
    }
    return [
      ctx.needsGrad(0) ? (terms.length === 1 ? terms[0] : ctx.op('Sum', terms)) : undefined,
      ctx.needsGrad(1) && g !== undefined ? ctx.unbroadcast(ctx.op('Mul', [g, xHat]), xShape, ctx.inputShape(1)) : undefined,
      ctx.needsGrad(2) && g !== undefined ? ctx.unbroadcast(g, xShape, ctx.inputShape(2)) : undefined,
    ];
  },
};
