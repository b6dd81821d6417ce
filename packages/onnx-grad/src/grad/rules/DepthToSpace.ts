import type { GradientRule } from '../rule.js';

/**
 * DepthToSpace permutes elements, so dx is dy under the inverse permutation. Mode DCR is exactly undone by
 * SpaceToDepth. Mode CRD maps x [N, C·b², H, W] viewed as [N, C, b, b, H, W] through the permutation
 * (0, 1, 4, 2, 5, 3) to y [N, C, H·b, W·b]: dx views dy as [N, C, H, b, W, b] and applies the inverse (0, 1, 3, 5, 2, 4).
 */
export const DepthToSpace: GradientRule = {
  opType: 'DepthToSpace',
  backward(ctx) {
    const g = ctx.grad()!;
    const b = ctx.attrInt('blocksize');
    const mode = ctx.attrString('mode', 'DCR');
    if (mode === 'DCR') return [ctx.op('SpaceToDepth', [g], { blocksize: BigInt(b) })];
    if (mode !== 'CRD') ctx.fail(`mode '${mode}' is not supported`);
    const [n, c, h, w] = ctx.inputShape(0) as [number, number, number, number];
    const blocks = ctx.op('Reshape', [g, ctx.ints([n, c / (b * b), h, b, w, b])]);
    const moved = ctx.op('Transpose', [blocks], { perm: [0n, 1n, 3n, 5n, 2n, 4n] });
    return [ctx.op('Reshape', [moved, ctx.ints([n, c, h, w])])];
  },
};
