import { describe, it, expect } from 'vitest';
import { weightedLeastSquares } from './regression.js';

describe('weighted least squares with intercept', () => {
  it('recovers an exact linear response, for every response column, whatever the weights', () => {
    const z = [[1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 1], [1, 1, 1], [0, 0, 0]];
    const y = z.flatMap((r) => [2 + r[0]! - 3 * r[1]! + 0.5 * r[2]!, -1 + 4 * r[2]!]);
    const fit = weightedLeastSquares(z, y, 2, [1, 5, 0.2, 1, 1e6, 1e6]);
    expect(fit.rank).toBe(3);
    [1, -3, 0.5, 0, 0, 4].forEach((c, i) => expect(fit.coefficients[i]).toBeCloseTo(c, 9));
    expect(fit.intercepts[0]).toBeCloseTo(2, 9);
    expect(fit.intercepts[1]).toBeCloseTo(-1, 9);
  });

  it('solves the weighted normal equations on a noisy full-rank problem', () => {
    const z = [[1, 0], [0, 1], [1, 1], [0, 0], [1, 0]];
    const y = [1, 2, 2.5, 0.2, 1.4];
    const w = [1, 2, 3, 4, 5];
    // Normal equations of [1, z] with weights w, solved by hand (3 × 3, Cramer).
    const X = z.map((r) => [1, ...r]);
    const A = [0, 1, 2].map((i) => [0, 1, 2].map((j) => X.reduce((s, r, n) => s + w[n]! * r[i]! * r[j]!, 0)));
    const b = [0, 1, 2].map((i) => X.reduce((s, r, n) => s + w[n]! * r[i]! * y[n]!, 0));
    const det = (M: number[][]) => M[0]![0]! * (M[1]![1]! * M[2]![2]! - M[1]![2]! * M[2]![1]!) - M[0]![1]! * (M[1]![0]! * M[2]![2]! - M[1]![2]! * M[2]![0]!) + M[0]![2]! * (M[1]![0]! * M[2]![1]! - M[1]![1]! * M[2]![0]!);
    const solution = [0, 1, 2].map((c) => det(A.map((r, i) => r.map((v, j) => (j === c ? b[i]! : v)))) / det(A));
    const fit = weightedLeastSquares(z, y, 1, w);
    expect(fit.intercepts[0]).toBeCloseTo(solution[0]!, 10);
    expect(fit.coefficients[0]).toBeCloseTo(solution[1]!, 10);
    expect(fit.coefficients[1]).toBeCloseTo(solution[2]!, 10);
  });

  it('takes the minimum-norm solution when the design is rank-deficient (two identical features share the effect)', () => {
    const z = [[1, 1, 0], [0, 0, 1], [1, 1, 1], [0, 0, 0]];
    const y = z.map((r) => 4 * r[0]! + r[2]!);
    const fit = weightedLeastSquares(z, y, 1, [1, 1, 1, 1]);
    expect(fit.rank).toBe(2);
    expect(fit.coefficients[0]).toBeCloseTo(2, 10);
    expect(fit.coefficients[1]).toBeCloseTo(2, 10);
    expect(fit.coefficients[2]).toBeCloseTo(1, 10);
  });

  it('with fewer samples than features: interpolates, with the minimum-norm coefficients', () => {
    const z = [[1, 0, 1, 1], [0, 1, 1, 0], [1, 1, 0, 0]];
    const y = [3, -1, 2];
    const fit = weightedLeastSquares(z, y, 1, [1, 1, 1]);
    z.forEach((r, n) => expect(fit.intercepts[0]! + r.reduce((s, v, f) => s + v * fit.coefficients[f]!, 0)).toBeCloseTo(y[n]!, 10));
    // Minimum norm: β lies in the row space of the centred design, i.e. is orthogonal to its null space. The null
    // space is what is left of each unit vector after projecting out an orthonormal basis of the centred rows.
    const zbar = [2 / 3, 2 / 3, 2 / 3, 1 / 3];
    const basis: number[][] = [];
    for (const r of z.map((row) => row.map((v, f) => v - zbar[f]!))) {
      const u = orthogonalise(r, basis);
      if (norm(u) > 1e-9) basis.push(u.map((v) => v / norm(u)));
    }
    expect(basis.length).toBe(2);
    for (let f = 0; f < 4; f++) {
      const nullVector = orthogonalise([0, 1, 2, 3].map((i) => (i === f ? 1 : 0)), basis);
      expect(Math.abs(nullVector.reduce((acc, v, i) => acc + v * fit.coefficients[i]!, 0))).toBeLessThan(1e-10);
    }
  });

  it('is linear in the responses: fit(y₁ + 2 y₂) = fit(y₁) + 2 fit(y₂)', () => {
    const z = [[1, 0], [0, 1], [1, 1], [0, 0], [1, 0], [0, 1]];
    const y1 = [0.3, 1, -2, 4, 0.1, 0.7];
    const y2 = [1, -1, 0.5, 0.25, 2, -3];
    const w = [1e6, 1, 1, 1e6, 0.5, 2];
    const a = weightedLeastSquares(z, y1, 1, w);
    const b = weightedLeastSquares(z, y2, 1, w);
    const c = weightedLeastSquares(z, y1.map((v, i) => v + 2 * y2[i]!), 1, w);
    for (let f = 0; f < 2; f++) expect(c.coefficients[f]).toBeCloseTo(a.coefficients[f]! + 2 * b.coefficients[f]!, 6);
  });
});

function norm(v: readonly number[]): number {
  return Math.sqrt(v.reduce((a, x) => a + x * x, 0));
}

/** v minus its projection on the orthonormal vectors of `basis`. */
function orthogonalise(v: readonly number[], basis: readonly number[][]): number[] {
  const out = [...v];
  for (const b of basis) {
    const d = out.reduce((a, x, i) => a + x * b[i]!, 0);
    for (let i = 0; i < out.length; i++) out[i]! -= d * b[i]!;
  }
  return out;
}
