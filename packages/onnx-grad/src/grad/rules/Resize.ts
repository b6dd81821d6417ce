import type { GradientRule, RuleContext } from '../rule.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const MODES = ['nearest', 'linear'];
const TRANSFORMS = ['half_pixel', 'pytorch_half_pixel', 'asymmetric', 'align_corners'];
const ROUNDINGS = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];

interface Interpolation {
  readonly mode: string;
  readonly transform: string;
  readonly rounding: string;
}

/**
 * The interpolation matrix of one axis, [out, in] (or its transpose, [in, out]): row o holds the weights of the input
 * positions output o reads. The input coordinate of o follows the runtime's float32 arithmetic —
 * half_pixel (o + ½)/scale − ½, pytorch_half_pixel the same unless out = 1 (then 0), asymmetric o/scale,
 * align_corners o·(in − 1)/(out − 1) — and is clamped to [0, in − 1]; linear weighs i by max(0, 1 − |x − i|), nearest
 * puts 1 at x rounded as `nearest_mode` says. `scale` is a float scalar of the graph.
 */
function interpolationMatrix(ctx: RuleContext, how: Interpolation, inLen: number, outLen: number, scale: () => string, transposed: boolean): string {
  const outAlong = transposed ? [1, outLen] : [outLen, 1];
  const inAlong = transposed ? [inLen, 1] : [1, inLen];
  const half = ctx.floats([0.5], []);
  let x: string;
  if (how.transform === 'align_corners') {
    x = ctx.floats(range(outLen).map((o) => (outLen === 1 ? 0 : Math.fround(Math.fround(o * (inLen - 1)) / (outLen - 1)))), outAlong);
  } else if (how.transform === 'pytorch_half_pixel' && outLen === 1) {
    x = ctx.floats([0], outAlong);
  } else if (how.transform === 'asymmetric') {
    x = ctx.op('Div', [ctx.floats(range(outLen), outAlong), scale()]);
  } else {
    x = ctx.op('Sub', [ctx.op('Div', [ctx.op('Add', [ctx.floats(range(outLen), outAlong), half]), scale()]), half]);
  }
  const clamp = (v: string) => ctx.op('Clip', [v, ctx.floats([0], []), ctx.floats([inLen - 1], [])]);
  const positions = ctx.floats(range(inLen), inAlong);
  if (how.mode === 'linear') return ctx.op('Relu', [ctx.op('Sub', [ctx.floats([1], []), ctx.op('Abs', [ctx.op('Sub', [clamp(x), positions])])])]);
  const rounded = {
    round_prefer_floor: () => ctx.op('Ceil', [ctx.op('Sub', [x, half])]),
    round_prefer_ceil: () => ctx.op('Floor', [ctx.op('Add', [x, half])]),
    floor: () => ctx.op('Floor', [x]),
    ceil: () => ctx.op('Ceil', [x]),
  }[how.rounding]!();
  return ctx.op('Cast', [ctx.op('Equal', [clamp(rounded), positions])], { to: BigInt(ctx.inputType(0)) });
}

/**
 * Nearest and linear Resize of H and W (NCHW) is separable and linear in X: Y[n, c] = Rh·X[n, c]·Rwᵀ, Rh [outH, inH]
 * and Rw [outW, inW] its interpolation matrices. So dX[n, c] = Rhᵀ·dY[n, c]·Rw, two MatMuls. The matrices are built
 * in the graph from the concrete sizes and the scale the runtime uses: out/in with `sizes`, the `scales` input's
 * value otherwise (not out/in when in·scale is not an integer). Cubic, tf_crop_and_resize, antialias and resizing N
 * or C fail.
 */
export const Resize: GradientRule = {
  opType: 'Resize',
  backward(ctx) {
    const xShape = ctx.inputShape(0);
    const yShape = ctx.outputShape(0);
    if (xShape.length !== 4) ctx.fail(`only 4-D (NCHW) inputs are supported, got rank ${xShape.length}`);
    if (yShape[0] !== xShape[0] || yShape[1] !== xShape[1]) ctx.fail(`only H and W may be resized, got [${xShape.join(', ')}] → [${yShape.join(', ')}]`);
    const how = {
      mode: ctx.attrString('mode', 'nearest'),
      transform: ctx.attrString('coordinate_transformation_mode', 'half_pixel'),
      rounding: ctx.attrString('nearest_mode', 'round_prefer_floor'),
    };
    if (!MODES.includes(how.mode)) ctx.fail(`mode ${how.mode} is not supported (nearest and linear are)`);
    if (!TRANSFORMS.includes(how.transform)) ctx.fail(`coordinate_transformation_mode ${how.transform} is not supported (${TRANSFORMS.join(', ')} are)`);
    if (how.mode === 'nearest' && !ROUNDINGS.includes(how.rounding)) ctx.fail(`nearest_mode ${how.rounding} is not supported`);
    const antialias = ctx.attrInt('antialias', 0);
    if (antialias !== 0) ctx.fail(`antialias ${antialias} is not supported`);
    const bySizes = ctx.hasInput(3);
    if (!bySizes && !ctx.hasInput(2)) ctx.fail('neither scales nor sizes is given');
    const policy = ctx.attrString('keep_aspect_ratio_policy', 'stretch');
    if (bySizes && policy !== 'stretch') ctx.fail(`keep_aspect_ratio_policy ${policy} is not supported`);
    const axes = ctx.attrInts('axes', [0, 1, 2, 3]).map((a) => (a < 0 ? a + 4 : a));
    const scale = (axis: number) => () => {
      if (bySizes || !axes.includes(axis)) return ctx.floats([Math.fround(yShape[axis]! / xShape[axis]!)], []);
      const given = ctx.op('Gather', [ctx.input(2), ctx.ints([axes.indexOf(axis)], [])]);
      return ctx.inputType(0) === ctx.inputType(2) ? given : ctx.op('Cast', [given], { to: BigInt(ctx.inputType(0)) });
    };
    // An axis resized from sizes (or not at all) to its own length is the identity, whatever the interpolation.
    const identity = (axis: number) => (bySizes || !axes.includes(axis)) && xShape[axis] === yShape[axis];
    let dx = ctx.grad()!;
    if (!identity(2)) dx = ctx.op('MatMul', [interpolationMatrix(ctx, how, xShape[2]!, yShape[2]!, scale(2), true), dx]);
    if (!identity(3)) dx = ctx.op('MatMul', [dx, interpolationMatrix(ctx, how, xShape[3]!, yShape[3]!, scale(3), false)]);
    return [dx, undefined, undefined, undefined];
  },
};
