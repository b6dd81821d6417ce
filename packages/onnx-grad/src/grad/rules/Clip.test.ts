import { describe, expect, it } from 'vitest';
import { tensor } from '../../tensor.js';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { Clip } from './Clip.js';

const scalar = (v: number) => tensor('float64', [], Float64Array.of(v));

describe('Clip gradient', () => {
  // Random inputs in (−1, 1) with bounds inside that range, none of them within ε of a bound.
  it('matches finite differences with both bounds (B = 1, K = 3)', async () => {
    const x = randomTensor('float64', [1, 3, 4], 1);
    expect((await checkGradient({ op: 'Clip', inputs: [x, scalar(-0.5), scalar(0.6)], wrt: 0, rows: 3, rules: [Clip] })).relativeError).toBeLessThan(1e-7);
  });

  it('matches finite differences with only max, with K × B batching (B = 2, K = 2)', async () => {
    const x = randomTensor('float64', [2, 2, 5], 2);
    expect((await checkGradient({ op: 'Clip', inputs: [x, null, scalar(0.3)], wrt: 0, rows: 2, rules: [Clip] })).relativeError).toBeLessThan(1e-7);
  });

  it('matches finite differences with only min, and with no bounds (B = 2, K = 2)', async () => {
    const x = randomTensor('float64', [2, 3, 2], 3);
    expect((await checkGradient({ op: 'Clip', inputs: [x, scalar(-0.2)], wrt: 0, rows: 2, rules: [Clip] })).relativeError).toBeLessThan(1e-7);
    expect((await checkGradient({ op: 'Clip', inputs: [x], wrt: 0, rows: 2, rules: [Clip] })).relativeError).toBeLessThan(1e-7);
  });

  it('passes the gradient at the bounds themselves, as torch.clamp', async () => {
    // Elements 1 and 3 sit on min and max. There the central difference sees the slope on one side only, half the
    // cotangent, so the analytic value (the full cotangent) is twice it; elements 0 and 4 are clipped (0).
    const x = tensor('float64', [1, 5], Float64Array.from([-0.9, -0.5, 0.1, 0.5, 0.8]));
    const { analytic, numeric } = await checkGradient({ op: 'Clip', inputs: [x, scalar(-0.5), scalar(0.5)], wrt: 0, rows: 2, rules: [Clip] });
    for (let k = 0; k < 2; k++) {
      for (const j of [1, 3]) {
        expect(Math.abs(numeric[k * 5 + j]!)).toBeGreaterThan(1e-3);
        expect(analytic[k * 5 + j]).toBeCloseTo(2 * numeric[k * 5 + j]!, 8);
      }
      for (const j of [0, 2, 4]) expect(analytic[k * 5 + j]).toBeCloseTo(numeric[k * 5 + j]!, 8);
      for (const j of [0, 4]) expect(Math.abs(analytic[k * 5 + j]!)).toBe(0);
    }
  });
});
