import { describe, expect, it } from 'vitest';
import { tensor } from '../../tensor.js';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { Min } from './Min.js';

const values = (shape: number[], v: number[]) => tensor('float64', shape, Float64Array.from(v));

describe('Min gradient', () => {
  // Continuous random inputs: no ties, so the selected input is unambiguous.
  it('matches finite differences for one of three broadcast inputs (B = 1, K = 3)', async () => {
    const inputs = [randomTensor('float64', [4], 1), randomTensor('float64', [1, 3, 4], 2), randomTensor('float64', [3, 1], 3)];
    expect((await checkGradient({ op: 'Min', inputs, wrt: 1, rows: 3, rules: [Min] })).relativeError).toBeLessThan(1e-7);
  });

  it('matches finite differences for an input that is itself broadcast, with K × B batching (B = 2, K = 2)', async () => {
    const inputs = [randomTensor('float64', [2, 1, 4], 4), randomTensor('float64', [3, 4], 5)];
    expect((await checkGradient({ op: 'Min', inputs, wrt: 0, rows: 2, rules: [Min] })).relativeError).toBeLessThan(1e-7);
  });

  it('matches finite differences for a single input (B = 2, K = 2)', async () => {
    const x = randomTensor('float64', [2, 3], 6);
    expect((await checkGradient({ op: 'Min', inputs: [x], wrt: 0, rows: 2, rules: [Min] })).relativeError).toBeLessThan(1e-7);
  });

  it('splits the gradient 0.5/0.5 between two tied inputs, as torch.minimum', async () => {
    // Ties at elements 0 and 2. There the central difference sees one side's slope only: ((x + ε) − x) / 2ε = 1/2,
    // which is exactly the 0.5 share, so the analytic gradient must equal it everywhere (full share: twice it).
    const x = values([1, 4], [-0.5, 0.3, -0.2, -0.7]);
    const c = values([4], [-0.5, -0.1, -0.2, 1]);
    const { analytic, numeric } = await checkGradient({ op: 'Min', inputs: [x, c], wrt: 0, rows: 2, rules: [Min] });
    for (let i = 0; i < analytic.length; i++) expect(analytic[i]).toBeCloseTo(numeric[i]!, 8);
    for (const i of [0, 2, 4, 6]) expect(Math.abs(analytic[i]!)).toBeGreaterThan(1e-3);
    for (const i of [1, 5]) expect(Math.abs(analytic[i]!)).toBe(0);
  });

  it('splits the gradient evenly between three tied inputs (1/3 each)', async () => {
    // Element 0 ties three ways, element 1 two ways. The central difference still sees 1/2 at a three-way tie, so the
    // 1/3 share is 2/3 of it; at the two-way tie the 1/2 share equals it.
    const x = values([1, 4], [-0.9, -0.4, 2, 0]);
    const c1 = values([4], [-0.9, -0.4, -0.1, 0.3]);
    const c2 = values([4], [-0.9, -0.05, -0.2, 0.4]);
    const { analytic, numeric } = await checkGradient({ op: 'Min', inputs: [x, c1, c2], wrt: 0, rows: 2, rules: [Min] });
    for (let k = 0; k < 2; k++) {
      expect(Math.abs(numeric[k * 4]!)).toBeGreaterThan(1e-3);
      expect(analytic[k * 4]).toBeCloseTo((numeric[k * 4]! * 2) / 3, 8);
      for (const j of [1, 2, 3]) expect(analytic[k * 4 + j]).toBeCloseTo(numeric[k * 4 + j]!, 8);
    }
  });
});
