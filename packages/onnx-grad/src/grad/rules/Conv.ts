import type { GradientRule, RuleContext } from '../rule.js';

/** The spatial geometry of a convolution or pooling window, with `auto_pad` resolved against the concrete shapes. */
export interface Window {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  /** `[begin₁…begin_r, end₁…end_r]`, as the `pads` attribute. */
  readonly pads: readonly number[];
}

const big = (values: readonly number[]): bigint[] => values.map((v) => BigInt(v));
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

/**
 * Reads `strides`, `dilations`, `pads` and `auto_pad` of a Conv or pooling node and checks that they reproduce the
 * concrete output size, floor(span / stride) + 1 (or the ceil of it under `ceil_mode`) with
 * span = in + pads − (dilation·(kernel − 1) + 1). SAME_* pads follow onnxruntime: the total is
 * (⌈in / stride⌉ − 1)·stride + dilated kernel − in, the odd unit at the end for SAME_UPPER, at the start for SAME_LOWER.
 */
export function windowOf(ctx: RuleContext, inSize: readonly number[], outSize: readonly number[], kernel: readonly number[], ceilMode = false): Window {
  const r = inSize.length;
  const ones = inSize.map(() => 1);
  const strides = ctx.attrInts('strides', ones);
  const dilations = ctx.attrInts('dilations', ones);
  if (kernel.length !== r || strides.length !== r || dilations.length !== r) {
    ctx.fail(`kernel_shape [${kernel.join(', ')}], strides [${strides.join(', ')}] and dilations [${dilations.join(', ')}] must have one entry per spatial axis (${r})`);
  }
  const dilated = kernel.map((k, i) => dilations[i]! * (k - 1) + 1);
  const autoPad = ctx.attrString('auto_pad', 'NOTSET');
  let pads: number[];
  if (autoPad === 'NOTSET') pads = ctx.attrInts('pads', [...ones, ...ones].map(() => 0));
  else if (autoPad === 'VALID') pads = [...ones, ...ones].map(() => 0);
  else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const total = inSize.map((n, i) => (Math.ceil(n / strides[i]!) - 1) * strides[i]! + dilated[i]! - n);
    const begin = total.map((t) => Math.trunc(autoPad === 'SAME_LOWER' ? (t + 1) / 2 : t / 2));
    pads = [...begin, ...total.map((t, i) => t - begin[i]!)];
    if (begin.some((p) => p < 0)) ctx.fail(`auto_pad ${autoPad} gives a negative padding [${pads.join(', ')}] here (kernel smaller than stride), which is not supported`);
  } else return ctx.fail(`auto_pad ${autoPad} is not supported`);
  if (pads.length !== 2 * r) ctx.fail(`pads [${pads.join(', ')}] must have two entries per spatial axis (${r})`);
  inSize.forEach((n, i) => {
    const span = n + pads[i]! + pads[i + r]! - dilated[i]!;
    const out = outSize[i]!;
    const fits = out === Math.floor(span / strides[i]!) + 1 || (ceilMode && out === Math.ceil(span / strides[i]!) + 1);
    if (!fits) ctx.fail(`the output size ${out} on spatial axis ${i} does not follow from input ${n}, kernel ${kernel[i]}, stride ${strides[i]}, dilation ${dilations[i]} and pads [${pads.join(', ')}]`);
  });
  return { kernel, strides, dilations, pads };
}

/** What a pooling node's rule needs: the cotangent, batch and channels, spatial sizes, `ceil_mode` and its window. */
export interface PoolGeometry {
  readonly grad: string;
  readonly n: number;
  readonly c: number;
  readonly inSize: number[];
  readonly outSize: number[];
  readonly ceilMode: boolean;
  readonly window: Window;
}

/** The {@link PoolGeometry} of an AveragePool or MaxPool node, from its `kernel_shape` and `ceil_mode`. */
export function poolGeometry(ctx: RuleContext): PoolGeometry {
  const [n, c, ...inSize] = ctx.inputShape(0) as [number, number, ...number[]];
  const outSize = ctx.outputShape(0).slice(2);
  const ceilMode = ctx.attrInt('ceil_mode', 0) !== 0;
  return { grad: ctx.grad()!, n, c, inSize, outSize, ceilMode, window: windowOf(ctx, inSize, outSize, ctx.attrInts('kernel_shape'), ceilMode) };
}

/**
 * The `pads` and `output_padding` with which a ConvTranspose of the window maps an `out`-sized cotangent back onto
 * exactly the `in` positions: it starts `begin` pads in, and stops at the input's end, cropping what lies past it
 * (tail ≥ 0) or padding with zeros the last positions no window reached (tail < 0, as when stride does not divide
 * in + pads − dilated kernel).
 */
export function transposedPads(window: Window, inSize: readonly number[], outSize: readonly number[]): { pads: bigint[]; output_padding: bigint[] } {
  const r = inSize.length;
  const tail = inSize.map((n, i) => window.strides[i]! * (outSize[i]! - 1) + window.dilations[i]! * (window.kernel[i]! - 1) + 1 - window.pads[i]! - n);
  return { pads: big([...window.pads.slice(0, r), ...tail.map((t) => Math.max(t, 0))]), output_padding: big(tail.map((t) => Math.max(-t, 0))) };
}

/**
 * The weight gradient of a convolution, Σₙ Σₒ a[n, c, o·stride + k·dilation − pad]·b[n, m, o] for k < kernel, grouped:
 * a Conv of `a` with batch and channels swapped (`[C_a/g, g·N, …]`) by `b` as weights (`[C_b, N, …]`), whose stride is
 * the window's dilation and dilation its stride. Returns `[C_b, C_a/g, …kernel]`.
 */
export function correlate(ctx: RuleContext, a: string, aShape: readonly number[], b: string, bShape: readonly number[], group: number, window: Window): string {
  const [n, ca, ...aSize] = aShape as [number, number, ...number[]];
  const [, , ...bSize] = bShape as [number, number, ...number[]];
  const r = aSize.length;
  const swap = big([1, 0, ...range(2, r + 2)]);
  const aT = group === 1
    ? ctx.op('Transpose', [a], { perm: swap })
    : ctx.op('Reshape', [ctx.op('Transpose', [ctx.op('Reshape', [a, ctx.ints([n, group, ca / group, ...aSize])])], { perm: big([2, 1, 0, ...range(3, r + 3)]) }), ctx.ints([ca / group, group * n, ...aSize])]);
  const bT = ctx.op('Transpose', [b], { perm: swap });
  const tail = aSize.map((len, i) => window.strides[i]! * (bSize[i]! - 1) + window.dilations[i]! * (window.kernel[i]! - 1) + 1 - window.pads[i]! - len);
  let c = ctx.op('Conv', [aT, bT], {
    group: BigInt(group),
    strides: big(window.dilations),
    dilations: big(window.strides),
    pads: big([...window.pads.slice(0, r), ...tail.map((t) => Math.max(t, 0))]),
  });
  // A negative tail (the last input positions never read) leaves extra kernel positions past the kernel: drop them.
  if (tail.some((t, i) => -t >= window.dilations[i]!)) {
    c = ctx.op('Slice', [c, ctx.ints(aSize.map(() => 0)), ctx.ints([...window.kernel]), ctx.ints(range(2, r + 2))]);
  }
  return ctx.op('Transpose', [c], { perm: swap });
}

/** The bias gradient of a convolution: the cotangent summed over batch and space. */
export function sumOverBatchAndSpace(ctx: RuleContext, g: string, rank: number): string {
  return ctx.op('ReduceSum', [g, ctx.ints([0, ...range(2, rank)])], { keepdims: 0n });
}

/**
 * W [M, C/g, …k] as the weights of the adjoint convolution at stride 1: in and out channels swapped within each
 * group and the kernel flipped, [C, M/g, …k] with W′[c, m, k] = W[m, c, kernel − 1 − k].
 */
function flippedWeights(ctx: RuleContext, w: string, wShape: readonly number[], group: number): string {
  const [m, cg, ...kernel] = wShape as [number, number, ...number[]];
  const r = kernel.length;
  const swapped = group === 1
    ? ctx.op('Transpose', [w], { perm: big([1, 0, ...range(2, r + 2)]) })
    : ctx.op('Reshape', [ctx.op('Transpose', [ctx.op('Reshape', [w, ctx.ints([group, m / group, cg, ...kernel])])], { perm: big([0, 2, 1, ...range(3, r + 3)]) }), ctx.ints([cg * group, m / group, ...kernel])]);
  if (kernel.every((k) => k === 1)) return swapped;
  const spatial = range(2, r + 2);
  return ctx.op('Slice', [swapped, ctx.ints(spatial.map(() => -1)), ctx.ints(spatial.map(() => Number.MIN_SAFE_INTEGER)), ctx.ints(spatial), ctx.ints(spatial.map(() => -1))]);
}

/**
 * Y = X ⋆ W + B (grouped, strided, dilated, padded cross-correlation):
 * dX = ConvTranspose(dY, W) with the same group, strides, dilations and pads, and the `output_padding` that recovers
 * the input size — at stride 1, the same as a Conv of dY by the flipped weights padded by dilated kernel − 1 − pads,
 * which runs faster; dW[m, c, k] = Σₙ Σₒ X[n, c, o·s + k·d − p]·dY[n, m, o] (see {@link correlate}); dB = Σ dY.
 */
export const Conv: GradientRule = {
  opType: 'Conv',
  backward(ctx) {
    const g = ctx.grad()!;
    const xShape = ctx.inputShape(0);
    const [, , ...kernel] = ctx.inputShape(1);
    const inSize = xShape.slice(2);
    const outShape = ctx.outputShape(0);
    const group = ctx.attrInt('group', 1);
    const declared = ctx.attrInts('kernel_shape', kernel);
    if (declared.some((k, i) => k !== kernel[i])) ctx.fail(`kernel_shape [${declared.join(', ')}] differs from the weight's spatial shape [${kernel.join(', ')}]`);
    const window = windowOf(ctx, inSize, outShape.slice(2), kernel);
    const common = { group: BigInt(group), strides: big(window.strides), dilations: big(window.dilations) };
    const r = inSize.length;
    const fullPads = window.pads.map((p, i) => window.dilations[i % r]! * (kernel[i % r]! - 1) - p);
    const inputGradient = () =>
      window.strides.every((s) => s === 1) && fullPads.every((p) => p >= 0)
        ? ctx.op('Conv', [g, flippedWeights(ctx, ctx.input(1), ctx.inputShape(1), group)], { ...common, pads: big(fullPads) })
        : ctx.op('ConvTranspose', [g, ctx.input(1)], { ...common, ...transposedPads(window, inSize, outShape.slice(2)) });
    return [
      ctx.needsGrad(0) ? inputGradient() : undefined,
      ctx.needsGrad(1) ? correlate(ctx, ctx.input(0), xShape, g, outShape, group, window) : undefined,
      ctx.needsGrad(2) ? sumOverBatchAndSpace(ctx, g, outShape.length) : undefined,
    ];
  },
};
