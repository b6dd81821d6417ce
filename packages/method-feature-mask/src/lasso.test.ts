import { describe, it, expect } from 'vitest';
import { weightedLasso } from './lasso.js';
import { weightedLeastSquares } from './regression.js';

/** The 2³ full factorial: its centred columns are orthogonal under equal weights and under product weights. */
const factorial = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => [i & 1, (i >> 1) & 1, (i >> 2) & 1]);
const linear = (r: readonly number[]) => 3 + 2 * r[0]! - 0.5 * r[1]! + 0.05 * r[2]!;

/** Largest violation of the Lasso's optimality conditions for response `r`, with weights normalised to sum 1. */
function kktViolation(z: number[][], y: number[], k: number, r: number, w: number[], alpha: number, beta: ArrayLike<number>): number {
  const total = w.reduce((a, b) => a + b, 0);
  const v = w.map((x) => x / total);
  const m = z[0]!.length;
  const zBar = [...Array(m).keys()].map((j) => z.reduce((s, row, i) => s + v[i]! * row[j]!, 0));
  const yBar = z.reduce((s, _, i) => s + v[i]! * y[i * k + r]!, 0);
  let worst = 0;
  for (let j = 0; j < m; j++) {
    // g_j = Σ v_i (z_ij − z̄_j) (y_i − ȳ − (z_i − z̄) · β)
    const g = z.reduce((s, row, i) => s + v[i]! * (row[j]! - zBar[j]!) * (y[i * k + r]! - yBar - row.reduce((t, x, l) => t + (x - zBar[l]!) * beta[l]!, 0)), 0);
    const b = beta[j]!;
    worst = Math.max(worst, b !== 0 ? Math.abs(g - alpha * Math.sign(b)) : Math.max(0, Math.abs(g) - alpha));
  }
  return worst;
}

describe('weighted Lasso (scikit-learn Lasso with intercept and sample weights)', () => {
  it('orthogonal design, equal weights: soft-thresholding of the least-squares coefficients by α / Var(z_j)', () => {
    const y = factorial.map(linear);
    for (const alpha of [0, 0.01, 0.1, 0.2]) {
      const fit = weightedLasso(factorial, y, 1, Array(8).fill(1), alpha);
      // Var(z_j) = ¼, so β_j = sign(b_j) · max(|b_j| − 4α, 0).
      [2, -0.5, 0.05].forEach((b, j) => expect(fit.coefficients[j]).toBeCloseTo(Math.sign(b) * Math.max(Math.abs(b) - 4 * alpha, 0), 12));
      // b = ȳ − z̄ · β with z̄ = ½.
      const yBar = y.reduce((a, c) => a + c, 0) / 8;
      expect(fit.intercepts[0]).toBeCloseTo(yBar - 0.5 * (fit.coefficients[0]! + fit.coefficients[1]! + fit.coefficients[2]!), 12);
      expect(fit.rank).toBe(3);
      expect(fit.unconverged).toBe(0);
    }
  });

  it('orthogonal design, product sample weights: the threshold is α / the weighted variance p_j (1 − p_j)', () => {
    // w = (3 if z0 else 1) · (1 if z1 else 2): weighted means p = (¾, ⅓, ½), the columns stay independent.
    const w = factorial.map((r) => (r[0] ? 3 : 1) * (r[1] ? 1 : 2));
    const y = factorial.map(linear);
    const alpha = 0.05;
    const variance = [3 / 16, 2 / 9, 1 / 4];
    const fit = weightedLasso(factorial, y, 1, w, alpha);
    [2, -0.5, 0.05].forEach((b, j) => expect(fit.coefficients[j]).toBeCloseTo(Math.sign(b) * Math.max(Math.abs(b) - alpha / variance[j]!, 0), 12));
    const means = [3 / 4, 1 / 3, 1 / 2];
    const total = w.reduce((a, b) => a + b, 0);
    const yBar = y.reduce((s, v, i) => s + (w[i]! * v) / total, 0);
    expect(fit.intercepts[0]).toBeCloseTo(yBar - means.reduce((s, p, j) => s + p * fit.coefficients[j]!, 0), 12);
  });

  it('only the weights’ proportions count (scikit-learn rescales them to sum to n); an integer weight repeats a row', () => {
    const z = [[1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 1], [1, 1, 1], [0, 0, 0], [1, 0, 0]];
    const y = [1.2, -0.4, 2.5, 0.3, 1.9, 0.1, 1.1];
    const w = [2, 1, 1, 3, 1, 1, 1];
    const a = weightedLasso(z, y, 1, w, 0.03);
    const b = weightedLasso(z, y, 1, w.map((x) => x * 1e3), 0.03);
    const repeated = z.flatMap((row, i) => Array(w[i]).fill(row) as number[][]);
    const c = weightedLasso(repeated, z.flatMap((_, i) => Array(w[i]).fill(y[i]) as number[]), 1, Array(repeated.length).fill(1), 0.03);
    for (let j = 0; j < 3; j++) {
      expect(b.coefficients[j]).toBeCloseTo(a.coefficients[j]!, 12);
      expect(c.coefficients[j]).toBeCloseTo(a.coefficients[j]!, 12);
    }
    expect(c.intercepts[0]).toBeCloseTo(a.intercepts[0]!, 12);
    expect(kktViolation(z, y, 1, 0, w, 0.03, a.coefficients)).toBeLessThan(1e-12);
  });

  it('α = 0 is weighted least squares, intercept included', () => {
    const z = [[1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 1], [1, 1, 1], [0, 0, 0], [1, 0, 0]];
    const y = [1.2, -0.4, 2.5, 0.3, 1.9, 0.1, 1.1].flatMap((v, i) => [v, Math.sin(i)]);
    const w = [0.3, 1, 2, 0.7, 1, 5, 1];
    const lasso = weightedLasso(z, y, 2, w, 0);
    const ls = weightedLeastSquares(z, y, 2, w);
    for (let e = 0; e < 6; e++) expect(lasso.coefficients[e]).toBeCloseTo(ls.coefficients[e]!, 10);
    for (let r = 0; r < 2; r++) expect(lasso.intercepts[r]).toBeCloseTo(ls.intercepts[r]!, 10);
  });

  it('α at or above max_j |Σ v_i (z_ij − z̄_j)(y_i − ȳ)| gives all zeros and the weighted mean as intercept', () => {
    const y = factorial.map(linear);
    const alphaMax = 0.25 * 2; // |c_0| = Var(z_0) · 2
    for (const alpha of [alphaMax * (1 + 1e-9), 10]) {
      const fit = weightedLasso(factorial, y, 1, Array(8).fill(1), alpha);
      expect(Array.from(fit.coefficients)).toEqual([0, 0, 0]);
      expect(fit.intercepts[0]).toBeCloseTo(y.reduce((a, b) => a + b, 0) / 8, 12);
      expect(fit.sweeps).toBe(1);
    }
    expect(weightedLasso(factorial, y, 1, Array(8).fill(1), alphaMax * 0.999).coefficients[0]).toBeGreaterThan(0);
  });

  it('each response is its own fit, and the fit is not linear in the responses', () => {
    const z = [[1, 0, 1, 0], [0, 1, 1, 1], [1, 1, 0, 0], [0, 0, 1, 1], [1, 1, 1, 0], [0, 0, 0, 1], [1, 0, 0, 1], [0, 1, 0, 0], [1, 1, 1, 1]];
    const y1 = z.map((r, i) => r[0]! - 0.3 * r[1]! + 0.02 * r[3]! + 0.05 * Math.cos(i));
    const y2 = z.map((r, i) => -2 * r[2]! + 0.1 * Math.sin(3 * i));
    const w = z.map((_, i) => Math.exp(-i / 5));
    const both = weightedLasso(z, z.flatMap((_, i) => [y1[i]!, y2[i]!]), 2, w, 0.02);
    const one = weightedLasso(z, y1, 1, w, 0.02);
    const two = weightedLasso(z, y2, 1, w, 0.02);
    for (let j = 0; j < 4; j++) {
      expect(both.coefficients[j]).toBe(one.coefficients[j]);
      expect(both.coefficients[4 + j]).toBe(two.coefficients[j]);
    }
    expect(kktViolation(z, y1, 1, 0, w, 0.02, one.coefficients)).toBeLessThan(1e-12);
    expect(kktViolation(z, y2, 1, 0, w, 0.02, two.coefficients)).toBeLessThan(1e-12);
    const sum = weightedLasso(z, y1.map((v, i) => v + y2[i]!), 1, w, 0.02);
    const gap = Math.max(...[0, 1, 2, 3].map((j) => Math.abs(sum.coefficients[j]! - one.coefficients[j]! - two.coefficients[j]!)));
    expect(gap).toBeGreaterThan(1e-3);
  });

  it('with fewer samples than features: reports the rank and still meets the optimality conditions', () => {
    const z = [[1, 0, 1, 1, 0], [0, 1, 1, 0, 1], [1, 1, 0, 0, 0], [0, 0, 0, 1, 1]];
    const y = [3, -1, 2, 0.5];
    const fit = weightedLasso(z, y, 1, [1, 2, 1, 1], 0.01);
    expect(fit.rank).toBe(3);
    expect(fit.unconverged).toBe(0);
    expect(kktViolation(z, y, 1, 0, [1, 2, 1, 1], 0.01, fit.coefficients)).toBeLessThan(1e-10);
  });

  it('a feature that never varies gets 0', () => {
    const z = [[1, 1], [0, 1], [1, 1], [0, 1]];
    const fit = weightedLasso(z, [2, 0, 2.2, 0.1], 1, [1, 1, 1, 1], 0.01);
    expect(fit.coefficients[1]).toBe(0);
    expect(fit.coefficients[0]).toBeCloseTo(2.05 - 0.01 / 0.25, 12);
    expect(fit.rank).toBe(1);
  });
});
