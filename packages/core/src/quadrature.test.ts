import { describe, it, expect } from 'vitest';
import { gaussLegendre, quadrature } from './quadrature.js';

describe('quadrature', () => {
  it('gives the Gauss–Legendre rules of the tables (n = 1, 2, 3)', () => {
    expect(gaussLegendre(1)).toEqual({ nodes: [0], weights: [2] });
    const two = gaussLegendre(2);
    expect(two.nodes[0]).toBeCloseTo(-1 / Math.sqrt(3), 15);
    expect(two.nodes[1]).toBeCloseTo(1 / Math.sqrt(3), 15);
    expect(two.weights).toEqual([1, 1].map((w) => expect.closeTo(w, 14)));
    const three = gaussLegendre(3);
    expect(three.nodes[0]).toBeCloseTo(-Math.sqrt(3 / 5), 15);
    expect(three.nodes[1]).toBeCloseTo(0, 15);
    expect(three.weights[0]).toBeCloseTo(5 / 9, 14);
    expect(three.weights[1]).toBeCloseTo(8 / 9, 14);
  });

  it('integrates polynomials of degree 2n − 1 exactly on [0, 1], for n = 50 too', () => {
    for (const n of [5, 20, 50]) {
      const { alphas, weights } = quadrature('gausslegendre', n);
      expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 13);
      const degree = 2 * n - 1;
      const integral = alphas.reduce((s, a, i) => s + weights[i]! * a ** degree, 0);
      expect(integral).toBeCloseTo(1 / (degree + 1), 12);
      expect([...alphas]).toEqual([...alphas].sort((a, b) => a - b));
    }
  });

  it('gives Captum\'s Riemann points and steps (hand-computed for n = 4)', () => {
    expect(quadrature('riemann_left', 4)).toEqual({ alphas: [0, 0.25, 0.5, 0.75], weights: [0.25, 0.25, 0.25, 0.25] });
    expect(quadrature('riemann_right', 4)).toEqual({ alphas: [0.25, 0.5, 0.75, 1], weights: [0.25, 0.25, 0.25, 0.25] });
    expect(quadrature('riemann_middle', 4)).toEqual({ alphas: [0.125, 0.375, 0.625, 0.875], weights: [0.25, 0.25, 0.25, 0.25] });
    // Captum's trapezoid steps are 1/n with halved ends (summing to 1 − 1/n), not 1/(n − 1).
    expect(quadrature('riemann_trapezoid', 4)).toEqual({ alphas: [0, 1 / 3, 2 / 3, 1], weights: [1 / 8, 1 / 4, 1 / 4, 1 / 8] });
  });
});
