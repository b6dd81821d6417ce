import type { GradientRule, RuleContext } from '../rule.js';
import { type Window, poolGeometry, transposedPads } from './Conv.js';

const big = (values: readonly number[]): bigint[] => values.map((v) => BigInt(v));
const product = (values: readonly number[]): number => values.reduce((a, b) => a * b, 1);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * Y[o] = max of X over window o, so dX[i] = Σ_{o : argmax(o) = i} dY[o]: each cotangent goes to its window's argmax
 * (the first maximum, as MaxPool's Indices give it), adding where overlapping windows share one. The indices come
 * from the forward node's second output when it has one in row-major order, else from a MaxPool emitted for them;
 * they are flat over the whole input, so taken modulo the spatial size. From opset 16, dX = ScatterElements with
 * reduction `add`; before, see {@link routeThroughWindows}.
 */
export const MaxPool: GradientRule = {
  opType: 'MaxPool',
  backward(ctx) {
    const { grad: g, n, c, inSize, outSize, ceilMode, window } = poolGeometry(ctx);
    const forwardIndices = ctx.node.output.length > 1 && ctx.node.output[1] !== '' && ctx.attrInt('storage_order', 0) === 0;
    const indices = forwardIndices
      ? ctx.output(1)
      : ctx.ops('MaxPool', [ctx.input(0)], 2, {
          kernel_shape: big(window.kernel),
          strides: big(window.strides),
          dilations: big(window.dilations),
          pads: big(window.pads),
          ceil_mode: ceilMode ? 1n : 0n,
        })[1]!;
    const spatial = ctx.op('Mod', [indices, ctx.ints([product(inSize)], [])]);
    if (ctx.opset < 16) return [routeThroughWindows(ctx, g, spatial, window, [n, c, ...inSize], outSize)];
    const rows = [n * c, product(outSize)];
    const zeros = ctx.op('Expand', [ctx.floats([0], []), ctx.ints([n * c, product(inSize)])]);
    const dx = ctx.op('ScatterElements', [zeros, ctx.op('Reshape', [spatial, ctx.ints(rows)]), ctx.op('Reshape', [g, ctx.ints(rows)])], { axis: 1n, reduction: 'add' });
    return [ctx.op('Reshape', [dx, ctx.ints([n, c, ...inSize])])];
  },
};

/**
 * dX without ScatterElements' reduction (opset < 16), still exact: j(o), the offset of the argmax inside window o
 * (row-major over the kernel), is (coordinate − window start) / dilation on each axis; dY[o]·onehot(j(o)) spread over
 * the kernel positions is a ConvTranspose by an identity kernel [kernel size, 1, …kernel], which adds overlaps.
 */
function routeThroughWindows(ctx: RuleContext, g: string, spatial: string, window: Window, xShape: readonly number[], outSize: readonly number[]): string {
  const [n, c, ...inSize] = xShape as [number, number, ...number[]];
  const r = inSize.length;
  const size = product(window.kernel);
  const perImage = [n * c, 1, ...outSize];
  const flat = ctx.op('Reshape', [spatial, ctx.ints(perImage)]);
  let offset: string | undefined;
  for (let a = 0; a < r; a++) {
    const coordinate = ctx.op('Mod', [ctx.op('Div', [flat, ctx.ints([product(inSize.slice(a + 1))], [])]), ctx.ints([inSize[a]!], [])]);
    const starts = ctx.ints(range(outSize[a]!).map((o) => o * window.strides[a]! - window.pads[a]!), [1, 1, ...outSize.map((d, i) => (i === a ? d : 1))]);
    const k = ctx.op('Div', [ctx.op('Sub', [coordinate, starts]), ctx.ints([window.dilations[a]!], [])]);
    const term = ctx.op('Mul', [k, ctx.ints([product(window.kernel.slice(a + 1))], [])]);
    offset = offset === undefined ? term : ctx.op('Add', [offset, term]);
  }
  const oneHot = ctx.op('Cast', [ctx.op('Equal', [offset!, ctx.ints(range(size), [1, size, ...outSize.map(() => 1)])])], { to: BigInt(ctx.inputType(0)) });
  const routed = ctx.op('Mul', [oneHot, ctx.op('Reshape', [g, ctx.ints(perImage)])]);
  const identity = ctx.floats(range(size * size).map((i) => (Math.floor(i / size) === i % size ? 1 : 0)), [size, 1, ...window.kernel]);
  const dx = ctx.op('ConvTranspose', [routed, identity], { strides: big(window.strides), dilations: big(window.dilations), ...transposedPads(window, inSize, outSize) });
  return ctx.op('Reshape', [dx, ctx.ints(xShape)]);
}
