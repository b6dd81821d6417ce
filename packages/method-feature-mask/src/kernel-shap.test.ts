import { describe, it, expect } from 'vitest';
import { attribute, identityWeights, maxRelativeError } from '@envision/core';
import { kernelShapMethod } from './kernel-shap.js';
import { exactShapley, tinyInput, tinyModel } from './tiny-model.test-support.js';

const mask = { type: 'grid', size: [2, 2] };
const corners = [0, 2, 8, 10];
const run = async (options: Record<string, unknown>, strategy: 'direct' | 'jacobian' = 'direct') =>
  (await attribute({ method: kernelShapMethod as never, options: { mask, baseline: 0.3, ...options }, model: tinyModel(), inputs: { x: tinyInput }, wrt: 'x', of: 'y', weights: identityWeights([2]), strategy })).maps;

describe('kernel-shap', () => {
  it('the same seed gives the same maps, another seed other maps; direct and jacobian agree (linear in the target)', async () => {
    const a = await run({ samples: 12, seed: 1 });
    expect(Array.from((await run({ samples: 12, seed: 1 })).data)).toEqual(Array.from(a.data));
    expect(Array.from((await run({ samples: 12, seed: 2 })).data)).not.toEqual(Array.from(a.data));
    expect(maxRelativeError((await run({ samples: 12, seed: 1 }, 'jacobian')).data, a.data)).toBeLessThan(1e-6);
  });

  it('is exact on an additive output, and converges to the exact Shapley values on a nonlinear one', async () => {
    const model = tinyModel();
    const maps = await run({ samples: 3000, seed: 4 });
    const exact0 = await exactShapley(model, 0.3, 0);
    const exact1 = await exactShapley(model, 0.3, 1);
    expect(maxRelativeError(corners.map((i) => maps.data[16 + i]!), exact1)).toBeLessThan(1e-4);
    expect(maxRelativeError(corners.map((i) => maps.data[i]!), exact0)).toBeLessThan(0.03);
    const few = await run({ samples: 8, seed: 4 });
    expect(maxRelativeError(corners.map((i) => few.data[16 + i]!), exact1)).toBeLessThan(1e-4);
  });
});
