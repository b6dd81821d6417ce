import type { GradientRule } from '../rule.js';
import { type Window, poolGeometry, transposedPads } from './Conv.js';

const big = (values: readonly number[]): bigint[] => values.map((v) => BigInt(v));
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const product = (values: readonly number[]): number => values.reduce((a, b) => a * b, 1);

/** How many taps of each window fall inside the input, per axis ([out] each); their products count a window's. */
function insideCounts(window: Window, inSize: readonly number[], outSize: readonly number[]): number[][] {
  return inSize.map((n, a) =>
    range(outSize[a]!).map((o) => range(window.kernel[a]!).filter((k) => {
      const i = o * window.strides[a]! + k * window.dilations[a]! - window.pads[a]!;
      return i >= 0 && i < n;
    }).length),
  );
}

/**
 * Y[o] = (1 / count(o))·Σ X over the window o (count: the window's taps inside the input, or all its taps with
 * count_include_pad; ceil_mode windows clipped as the runtime clips them), so dX = ConvTranspose(dY / count, ones)
 * over each channel alone, with the window's strides, dilations and pads. 1 / count is read off the pool itself,
 * AveragePool(ones) / (taps inside the input), exact whatever rule the runtime uses for windows overhanging the
 * padding.
 */
export const AveragePool: GradientRule = {
  opType: 'AveragePool',
  backward(ctx) {
    const { grad: g, n, c, inSize, outSize, ceilMode, window } = poolGeometry(ctx);
    const dilated = window.dilations.some((d) => d !== 1);
    const pooledOnes = ctx.op('AveragePool', [ctx.op('Expand', [ctx.floats([1], []), ctx.ints([1, 1, ...inSize])])], {
      kernel_shape: big(window.kernel),
      strides: big(window.strides),
      pads: big(window.pads),
      ceil_mode: ceilMode ? 1n : 0n,
      count_include_pad: BigInt(ctx.attrInt('count_include_pad', 0)),
      ...(dilated ? { dilations: big(window.dilations) } : {}),
    });
    // With ceil_mode, ONNX shape inference may keep a last window that starts past the input, which the runtime drops.
    const pooled = ceilMode ? ctx.op('Slice', [pooledOnes, ctx.ints(outSize.map(() => 0)), ctx.ints(outSize), ctx.ints(range(outSize.length).map((a) => a + 2))]) : pooledOnes;
    const counts = insideCounts(window, inSize, outSize);
    const inside = outSize.reduce<number[]>((acc, _, a) => acc.flatMap((v) => counts[a]!.map((k) => v * k)), [1]);
    const reciprocal = ctx.op('Div', [pooled, ctx.floats(inside.map((k) => Math.max(k, 1)), [1, 1, ...outSize])]);
    const perChannel = ctx.op('Reshape', [ctx.op('Mul', [g, reciprocal]), ctx.ints([n * c, 1, ...outSize])]);
    const spread = ctx.op('ConvTranspose', [perChannel, ctx.floats(new Array<number>(product(window.kernel)).fill(1), [1, 1, ...window.kernel])], {
      strides: big(window.strides),
      dilations: big(window.dilations),
      ...transposedPads(window, inSize, outSize),
    });
    return [ctx.op('Reshape', [spread, ctx.ints([n, c, ...inSize])])];
  },
};
