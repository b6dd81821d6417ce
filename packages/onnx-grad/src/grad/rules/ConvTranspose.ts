import type { GradientRule, RuleContext } from '../rule.js';
import { type Window, correlate, sumOverBatchAndSpace } from './Conv.js';

const big = (values: readonly number[]): bigint[] => values.map((v) => BigInt(v));

/**
 * The window of a ConvTranspose: strides, dilations and the pads that crop its full output. With `output_shape` or
 * SAME_* padding the total crop follows from the concrete sizes, s·(in − 1) + output_padding + dilated kernel − out;
 * onnxruntime versions disagree on which end takes the odd unit of an odd total, so only even totals (split equally)
 * are supported.
 */
function transposedWindow(ctx: RuleContext, inSize: readonly number[], outSize: readonly number[], kernel: readonly number[]): Window & { outputPadding: number[] } {
  const r = inSize.length;
  const ones = inSize.map(() => 1);
  const strides = ctx.attrInts('strides', ones);
  const dilations = ctx.attrInts('dilations', ones);
  const outputPadding = ctx.attrInts('output_padding', ones.map(() => 0));
  if ([strides, dilations, outputPadding, kernel].some((v) => v.length !== r)) ctx.fail(`kernel_shape, strides, dilations and output_padding must have one entry per spatial axis (${r})`);
  const autoPad = ctx.attrString('auto_pad', 'NOTSET');
  const explicitShape = ctx.attrInts('output_shape', []).length > 0;
  let pads: number[];
  if (explicitShape || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const total = inSize.map((n, i) => strides[i]! * (n - 1) + outputPadding[i]! + dilations[i]! * (kernel[i]! - 1) + 1 - outSize[i]!);
    const why = explicitShape ? `output_shape [${outSize.join(', ')}]` : `auto_pad ${autoPad}`;
    if (total.some((t) => t < 0 || t % 2 !== 0)) ctx.fail(`${why} with a total padding of [${total.join(', ')}] (negative, or odd: its split is onnxruntime-version dependent) is not supported`);
    pads = [...total, ...total].map((t) => t / 2);
  } else if (autoPad === 'VALID') pads = [...ones, ...ones].map(() => 0);
  else if (autoPad === 'NOTSET') pads = ctx.attrInts('pads', [...ones, ...ones].map(() => 0));
  else return ctx.fail(`auto_pad ${autoPad} is not supported`);
  if (pads.length !== 2 * r) ctx.fail(`pads [${pads.join(', ')}] must have two entries per spatial axis (${r})`);
  return { kernel, strides, dilations, pads, outputPadding };
}

/**
 * Y = ConvTranspose(X, W) + B, the adjoint of a Conv by W: Y[n, m, i·s + k·d − p] += X[n, c, i]·W[c, m', k]. So
 * dX = Conv(dY, W) with the same group, strides, dilations and pads (positions added by output_padding are never read
 * back); dW[c, m', k] = Σₙ Σᵢ dY[n, m, i·s + k·d − p]·X[n, c, i] (a correlation, see Conv's); dB = Σ dY.
 */
export const ConvTranspose: GradientRule = {
  opType: 'ConvTranspose',
  backward(ctx) {
    const g = ctx.grad()!;
    const xShape = ctx.inputShape(0);
    const [, , ...kernel] = ctx.inputShape(1);
    const outShape = ctx.outputShape(0);
    const group = ctx.attrInt('group', 1);
    const declared = ctx.attrInts('kernel_shape', kernel);
    if (declared.some((k, i) => k !== kernel[i])) ctx.fail(`kernel_shape [${declared.join(', ')}] differs from the weight's spatial shape [${kernel.join(', ')}]`);
    const window = transposedWindow(ctx, xShape.slice(2), outShape.slice(2), kernel);
    window.outputPadding.forEach((a, i) => {
      if (a >= window.strides[i]!) ctx.fail(`output_padding ${a} not smaller than the stride ${window.strides[i]} is not supported`);
    });
    return [
      ctx.needsGrad(0)
        ? ctx.op('Conv', [g, ctx.input(1)], { group: BigInt(group), strides: big(window.strides), dilations: big(window.dilations), pads: big(window.pads) })
        : undefined,
      ctx.needsGrad(1) ? correlate(ctx, g, outShape, ctx.input(0), xShape, group, window) : undefined,
      ctx.needsGrad(2) ? sumOverBatchAndSpace(ctx, g, outShape.length) : undefined,
    ];
  },
};
