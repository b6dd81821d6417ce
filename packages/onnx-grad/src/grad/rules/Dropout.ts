import type { GradientRule, RuleContext } from '../rule.js';

/**
 * Dropout at inference is the identity: dx = dy. In training mode (`training_mode` input true) it draws a random
 * mask, so the rule fails — unless the ratio is 0, which drops nothing (torchvision's Swin exports
 * Dropout(ratio = 0, training_mode = true)). The bool mask output gets no gradient.
 */
export const Dropout: GradientRule = {
  opType: 'Dropout',
  backward(ctx: RuleContext) {
    const training = ctx.hasInput(2) ? ctx.constInts(2) : [0];
    if (training === undefined) ctx.fail('training_mode is not a constant: the output may be random');
    if (training[0] !== 0) {
      if (!ctx.hasInput(1)) ctx.fail('training_mode is true with the default ratio 0.5: the output is random');
      const ratio = ctx.constFloats(1);
      if (ratio === undefined) ctx.fail('training_mode is true and the ratio is not a constant the builder can read: the output may be random');
      if (ratio[0] !== 0) ctx.fail(`training_mode is true with ratio ${ratio[0]}: the output is random`);
    }
    return [ctx.grad(0)!, undefined, undefined];
  },
};
