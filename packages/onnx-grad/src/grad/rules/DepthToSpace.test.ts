import { describe, expect, it } from 'vitest';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { DepthToSpace } from './DepthToSpace.js';

describe('DepthToSpace gradient', () => {
  for (const mode of ['DCR', 'CRD']) {
    it(`matches finite differences in mode ${mode}`, async () => {
      const x = randomTensor('float64', [2, 8, 2, 3], 1);
      expect((await checkGradient({ op: 'DepthToSpace', inputs: [x], wrt: 0, attributes: { blocksize: 2n, mode }, rules: [DepthToSpace] })).relativeError).toBeLessThan(1e-7);
      const x1 = randomTensor('float64', [1, 9, 1, 2], 2);
      expect((await checkGradient({ op: 'DepthToSpace', inputs: [x1], wrt: 0, rows: 3, attributes: { blocksize: 3n, mode }, rules: [DepthToSpace] })).relativeError).toBeLessThan(1e-7);
    });
  }
});
