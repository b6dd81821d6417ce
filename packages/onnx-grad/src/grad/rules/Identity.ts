import type { GradientRule } from '../rule.js';

/** The identity passes the cotangent through. */
export const Identity: GradientRule = {
  opType: 'Identity',
  backward(ctx) {
    return [ctx.grad()];
  },
};
