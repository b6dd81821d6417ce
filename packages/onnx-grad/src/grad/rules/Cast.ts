import { DataType } from '../../onnx/tensor-proto.js';
import type { GradientRule } from '../rule.js';

const FLOAT_TYPES: ReadonlySet<number> = new Set([DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16, DataType.BFLOAT16]);

/**
 * y = cast(x, to). Between float types the cast is the identity up to rounding: dx = cast(dy, type of x). To or from
 * an integer or bool type there is no gradient (the cast is piecewise constant, or x is not differentiable).
 */
export const Cast: GradientRule = {
  opType: 'Cast',
  backward(ctx) {
    const from = ctx.inputType(0);
    const to = ctx.attrInt('to');
    if (!FLOAT_TYPES.has(from) || !FLOAT_TYPES.has(to)) return [undefined];
    return [from === to ? ctx.grad()! : ctx.op('Cast', [ctx.grad()!], { to: BigInt(from) })];
  },
};
