import type { GradientRule } from '../rule.js';

/**
 * Inference-mode batch normalisation, per channel (axis 1): y = scale·(x − mean)·σ⁻¹ + B with σ⁻¹ = 1/√(var + ε).
 * dX = dY·scale·σ⁻¹; with Σ the sum over every axis but the channel: dB = Σ dY, dscale = Σ dY·x̂ where
 * x̂ = (x − mean)·σ⁻¹, dmean = −dB·scale·σ⁻¹, dvar = −½·dscale·scale·σ⁻². Training mode (batch statistics) fails.
 */
export const BatchNormalization: GradientRule = {
  opType: 'BatchNormalization',
  backward(ctx) {
    const training = ctx.attrInt('training_mode', 0);
    if (training !== 0) ctx.fail(`training_mode ${training} is not supported (inference mode only)`);
    if (ctx.node.output.slice(1).some((o) => o !== '')) ctx.fail(`the running-statistics outputs (training mode) are not supported, got ${ctx.node.output.length} outputs`);
    const g = ctx.grad()!;
    const xShape = ctx.inputShape(0);
    const perChannel = ctx.ints([xShape[1]!, ...xShape.slice(2).map(() => 1)]);
    const otherAxes = ctx.ints([0, ...xShape.slice(2).map((_, i) => i + 2)]);
    const channelSum = (v: string) => ctx.op('ReduceSum', [v, otherAxes], { keepdims: 0n });
    const [scale, mean] = [ctx.input(1), ctx.input(3)];
    const invStd = ctx.op('Reciprocal', [ctx.op('Sqrt', [ctx.op('Add', [ctx.input(4), ctx.floats([ctx.attrFloat('epsilon', 1e-5)], [])])])]);
    const gain = ctx.op('Mul', [scale, invStd]);
    const needs = [0, 1, 2, 3, 4].map((i) => ctx.needsGrad(i));
    const dB = needs[2] || needs[3] ? channelSum(g) : undefined;
    const xHat = () => ctx.op('Mul', [ctx.op('Sub', [ctx.input(0), ctx.op('Reshape', [mean, perChannel])]), ctx.op('Reshape', [invStd, perChannel])]);
    const dScale = needs[1] || needs[4] ? channelSum(ctx.op('Mul', [g, xHat()])) : undefined;
    return [
      needs[0] ? ctx.op('Mul', [g, ctx.op('Reshape', [gain, perChannel])]) : undefined,
      needs[1] ? dScale : undefined,
      needs[2] ? dB : undefined,
      needs[3] ? ctx.op('Neg', [ctx.op('Mul', [dB!, gain])]) : undefined,
      needs[4] ? ctx.op('Mul', [ctx.op('Mul', [dScale!, ctx.op('Mul', [gain, invStd])]), ctx.floats([-0.5], [])]) : undefined,
    ];
  },
};
