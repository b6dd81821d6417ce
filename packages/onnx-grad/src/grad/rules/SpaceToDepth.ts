import type { GradientRule } from '../rule.js';

/** SpaceToDepth permutes elements and DepthToSpace in mode DCR is its inverse: dx = depth_to_space(dy, DCR). */
export const SpaceToDepth: GradientRule = {
  opType: 'SpaceToDepth',
  backward(ctx) {
    return [ctx.op('DepthToSpace', [ctx.grad()!], { blocksize: BigInt(ctx.attrInt('blocksize')), mode: 'DCR' })];
  },
};
