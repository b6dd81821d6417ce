/** A weighted linear fit with intercept: `coefficients` `[K, m]` (row r for response r) and `intercepts` `[K]`. */
export interface LinearFit {
  readonly coefficients: Float64Array;
  readonly intercepts: Float64Array;
  /** Rank of the weighted, centred design (m when every feature's effect is determined). */
  readonly rank: number;
}

/**
 * Weighted least squares with an intercept, as scikit-learn's `LinearRegression(fit_intercept=True)` with
 * `sample_weight` solves it (the interpretable model of Captum's KernelShap): minimise
 * Σ_i w_i (y_i − b − z_i · β)². The design and responses are centred by their w-weighted means, rows are scaled by
 * √w_i, and β is the minimum-norm least-squares solution (the pseudo-inverse, as LAPACK's gelsd: singular values at
 * most max(n, m) · ε · s_max count as zero, numpy's `lstsq` default); b = ȳ − z̄ · β. The pseudo-inverse comes from a
 * one-sided Jacobi SVD in float64. All K responses share the design, so they are fitted together; the fit is linear
 * in the responses.
 *
 * @param z - design, n rows of m values (the coalitions)
 * @param y - responses, `[n, K]` row-major
 * @param w - sample weights, n values > 0
 */
export function weightedLeastSquares(z: readonly ArrayLike<number>[], y: ArrayLike<number>, k: number, w: ArrayLike<number>): LinearFit {
  const n = z.length;
  const m = n === 0 ? 0 : z[0]!.length;
  let wsum = 0;
  for (let i = 0; i < n; i++) wsum += w[i]!;
  const zMean = new Float64Array(m);
  const yMean = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) zMean[j]! += (w[i]! * z[i]![j]!) / wsum;
    for (let r = 0; r < k; r++) yMean[r]! += (w[i]! * y[i * k + r]!) / wsum;
  }
  // A = √w (z − z̄) as m columns of length n; B = √w (y − ȳ), [n, K].
  const a = Array.from({ length: m }, (_, j) => Float64Array.from({ length: n }, (_, i) => Math.sqrt(w[i]!) * (z[i]![j]! - zMean[j]!)));
  const b = Float64Array.from({ length: n * k }, (_, e) => Math.sqrt(w[Math.floor(e / k)]!) * (y[e]! - yMean[e % k]!));
  const beta = new Float64Array(k * m); // [K, m]
  let rank = 0;
  if (m <= n) {
    // A V = W (orthogonal columns), A⁺ = V Σ⁻² Wᵀ.
    const { columns, v } = jacobiColumns(a, n);
    const keep = cutoff(columns, n, m);
    for (const j of keep) {
      rank++;
      const col = columns[j]!;
      const s2 = dot(col, col);
      for (let r = 0; r < k; r++) {
        let t = 0;
        for (let i = 0; i < n; i++) t += col[i]! * b[i * k + r]!;
        for (let f = 0; f < m; f++) beta[r * m + f]! += (v[j]![f]! * t) / s2;
      }
    }
  } else {
    // Aᵀ V = W with W's n columns of length m: A = V Wᵀ, A⁺ = W Σ⁻² Vᵀ.
    const rows = Array.from({ length: n }, (_, i) => Float64Array.from({ length: m }, (_, j) => a[j]![i]!));
    const { columns, v } = jacobiColumns(rows, m);
    const keep = cutoff(columns, n, m);
    for (const j of keep) {
      rank++;
      const col = columns[j]!;
      const s2 = dot(col, col);
      for (let r = 0; r < k; r++) {
        let t = 0;
        for (let i = 0; i < n; i++) t += v[j]![i]! * b[i * k + r]!;
        for (let f = 0; f < m; f++) beta[r * m + f]! += (col[f]! * t) / s2;
      }
    }
  }
  const intercepts = Float64Array.from({ length: k }, (_, r) => {
    let s = yMean[r]!;
    for (let f = 0; f < m; f++) s -= zMean[f]! * beta[r * m + f]!;
    return s;
  });
  return { coefficients: beta, intercepts, rank };
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Indices of the columns whose norm (a singular value) exceeds max(n, m) · ε · the largest. */
function cutoff(columns: readonly Float64Array[], n: number, m: number): number[] {
  const norms = columns.map((c) => Math.sqrt(dot(c, c)));
  const largest = Math.max(0, ...norms);
  const limit = largest * Math.max(n, m) * Number.EPSILON;
  return norms.flatMap((s, j) => (s > limit ? [j] : []));
}

/**
 * One-sided Jacobi (Hestenes): rotates the given columns (each of length `length`) until they are mutually
 * orthogonal, accumulating the rotations in V (columns of length = number of columns). Returns the rotated columns
 * W = A V (their norms are the singular values) and V's columns.
 */
function jacobiColumns(input: readonly Float64Array[], length: number): { columns: Float64Array[]; v: Float64Array[] } {
  const cols = input.map((c) => Float64Array.from(c));
  const p = cols.length;
  const v = Array.from({ length: p }, (_, j) => {
    const e = new Float64Array(p);
    e[j] = 1;
    return e;
  });
  for (let sweep = 0; sweep < 100; sweep++) {
    let rotated = false;
    for (let i = 0; i < p - 1; i++) {
      for (let j = i + 1; j < p; j++) {
        const ci = cols[i]!;
        const cj = cols[j]!;
        const alpha = dot(ci, ci);
        const beta = dot(cj, cj);
        const gamma = dot(ci, cj);
        if (gamma === 0 || Math.abs(gamma) <= Number.EPSILON * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let e = 0; e < length; e++) {
          const x = ci[e]!;
          const y = cj[e]!;
          ci[e] = c * x - s * y;
          cj[e] = s * x + c * y;
        }
        const vi = v[i]!;
        const vj = v[j]!;
        for (let e = 0; e < p; e++) {
          const x = vi[e]!;
          const y = vj[e]!;
          vi[e] = c * x - s * y;
          vj[e] = s * x + c * y;
        }
      }
    }
    if (!rotated) break;
  }
  return { columns: cols, v };
}
