import type { GradientRule } from '../rule.js';

/** y = transpose(x, p): dx = transpose(dy, p⁻¹), the inverse permutation (p defaults to reversing the axes). */
export const Transpose: GradientRule = {
  opType: 'Transpose',
  backward(ctx) {
    const rank = ctx.inputShape(0).length;
    const perm = ctx.attrInts('perm', Array.from({ length: rank }, (_, i) => rank - 1 - i));
    const inverse = Array<bigint>(rank);
    perm.forEach((p, i) => (inverse[p] = BigInt(i)));
    return [ctx.op('Transpose', [ctx.grad()!], { perm: inverse })];
  },
};
