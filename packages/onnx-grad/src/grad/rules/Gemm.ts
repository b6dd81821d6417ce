import type { GradientRule } from '../rule.js';

/**
 * Y = α·A′·B′ + β·C with A′ = transA ? Aᵀ : A and B′ = transB ? Bᵀ : B. Then dA′ = α·dY·B′ᵀ and dB′ = α·A′ᵀ·dY,
 * transposed back when the operand was (each one Gemm with the right trans flags); dC = β·dY summed over the axes C
 * was broadcast along.
 */
export const Gemm: GradientRule = {
  opType: 'Gemm',
  backward(ctx) {
    const g = ctx.grad()!;
    const [a, b] = [ctx.input(0), ctx.input(1)];
    const transA = ctx.attrInt('transA', 0) !== 0;
    const transB = ctx.attrInt('transB', 0) !== 0;
    const alpha = ctx.attrFloat('alpha', 1);
    const beta = ctx.attrFloat('beta', 1);
    const gemm = (x: string, y: string, tx: boolean, ty: boolean) => ctx.op('Gemm', [x, y], { alpha, transA: tx ? 1n : 0n, transB: ty ? 1n : 0n });
    return [
      // A = dA′ = α·dY·B′ᵀ, or A = dA′ᵀ = α·B′·dYᵀ.
      ctx.needsGrad(0) ? (transA ? gemm(b, g, transB, true) : gemm(g, b, false, !transB)) : undefined,
      // B = dB′ = α·A′ᵀ·dY, or B = dB′ᵀ = α·dYᵀ·A′.
      ctx.needsGrad(1) ? (transB ? gemm(g, a, true, transA) : gemm(a, g, !transA, false)) : undefined,
      ctx.needsGrad(2) ? ctx.unbroadcast(beta === 1 ? g : ctx.op('Mul', [g, ctx.floats([beta], [])]), ctx.outputShape(0), ctx.inputShape(2)) : undefined,
    ];
  },
};
