/** A weighted Lasso fit with intercept: `coefficients` `[K, m]` (row r for response r) and `intercepts` `[K]`. */
export interface LassoFit {
  readonly coefficients: Float64Array;
  readonly intercepts: Float64Array;
  /**
   * Rank of the weighted, centred design, from a pivoted Cholesky factorisation of its Gram matrix (pivots at most
   * max(n, m) · ε · the largest diagonal entry count as zero). Below m, the coefficients may not be unique.
   */
  readonly rank: number;
  /** The most sweeps any response needed. */
  readonly sweeps: number;
  /** Responses that reached {@link LASSO_MAX_SWEEPS} before the tolerance (0 when every fit converged). */
  readonly unconverged: number;
}

/**
 * Stopping tolerance of {@link weightedLasso}: a fit stops when every coordinate's optimality (KKT) condition holds
 * to this fraction of max(α, max_j |c_j|), c_j the weighted covariance of feature j with the response.
 */
export const LASSO_TOLERANCE = 1e-12;

/** Most full sweeps of coordinate descent per response before {@link weightedLasso} gives up on the tolerance. */
export const LASSO_MAX_SWEEPS = 10_000;

/**
 * The Lasso with an intercept and sample weights, as scikit-learn's `Lasso(alpha, fit_intercept=True)` defines it
 * (Captum's `SkLearnLasso`, the default interpretable model of its `Lime`). With the weights rescaled to v_i = w_i /
 * Σ w (scikit-learn rescales them to sum to n, which is the same objective), it minimises
 *
 *   ½ Σ_i v_i (y_i − b − z_i · β)² + α ‖β‖₁
 *
 * over β and the unpenalised intercept b. As scikit-learn does, the design and the responses are centred by their
 * v-weighted means (z̄, ȳ); β is found on the centred data; b = ȳ − z̄ · β. No column is scaled.
 *
 * The solver is cyclic coordinate descent in float64 from β = 0 (scikit-learn's start and order), on the weighted
 * Gram matrix G = Σ_i v_i (z_i − z̄)(z_i − z̄)ᵀ and covariances c = Σ_i v_i (z_i − z̄)(y_i − ȳ):
 * β_j ← S(c_j − Σ_{l≠j} G_jl β_l, α) / G_jj, S the soft threshold. A feature that never varies keeps β_j = 0. After
 * each sweep the gradient g = c − Gβ is recomputed from scratch and the optimality conditions are checked:
 * g_j = α · sign(β_j) where β_j ≠ 0, |g_j| ≤ α where β_j = 0. A response stops when the largest violation is at
 * most {@link LASSO_TOLERANCE} · max(α, max_j |c_j|), or after {@link LASSO_MAX_SWEEPS} sweeps (counted in
 * `unconverged`). scikit-learn stops much earlier (a duality gap below 1e-4 · ‖y − ȳ‖², in float32 when Captum
 * hands it float32), so its coefficients agree with these only to about that accuracy.
 *
 * The optimum is unique when the centred, weighted design has full column rank (`rank` = m). When it does not (fewer
 * coalitions than features, or two features always present together), the fitted values are unique but the
 * coefficients may not be: this returns the optimum coordinate descent reaches from β = 0 in feature order, as
 * scikit-learn would, and `rank` tells.
 *
 * α = 0 is the weighted least-squares fit (when the design has full rank). Each of the K responses is its own fit;
 * the fit is not linear in the responses.
 *
 * @param z - design, n rows of m values (the coalitions)
 * @param y - responses, `[n, K]` row-major
 * @param k - number of responses K
 * @param w - sample weights, n values > 0
 * @param alpha - the L1 penalty α ≥ 0
 */
export function weightedLasso(z: readonly ArrayLike<number>[], y: ArrayLike<number>, k: number, w: ArrayLike<number>, alpha: number): LassoFit {
  const n = z.length;
  const m = n === 0 ? 0 : z[0]!.length;
  let wsum = 0;
  for (let i = 0; i < n; i++) wsum += w[i]!;
  const v = Float64Array.from({ length: n }, (_, i) => w[i]! / wsum);
  const zMean = new Float64Array(m);
  const yMean = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) zMean[j]! += v[i]! * z[i]![j]!;
    for (let r = 0; r < k; r++) yMean[r]! += v[i]! * y[i * k + r]!;
  }
  // Centred design, rows scaled by √v: A [n, m]; G = AᵀA, c = Aᵀ √v (y − ȳ).
  const a = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) a[i * m + j] = Math.sqrt(v[i]!) * (z[i]![j]! - zMean[j]!);
  const gram = new Float64Array(m * m);
  for (let j = 0; j < m; j++) {
    for (let l = j; l < m; l++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += a[i * m + j]! * a[i * m + l]!;
      gram[j * m + l] = s;
      gram[l * m + j] = s;
    }
  }
  const coefficients = new Float64Array(k * m);
  const intercepts = new Float64Array(k);
  let sweeps = 0;
  let unconverged = 0;
  const c = new Float64Array(m);
  for (let r = 0; r < k; r++) {
    c.fill(0);
    for (let i = 0; i < n; i++) {
      const t = Math.sqrt(v[i]!) * (y[i * k + r]! - yMean[r]!);
      for (let j = 0; j < m; j++) c[j]! += a[i * m + j]! * t;
    }
    const beta = coefficients.subarray(r * m, (r + 1) * m);
    const result = coordinateDescent(gram, c, m, alpha, beta);
    sweeps = Math.max(sweeps, result.sweeps);
    if (!result.converged) unconverged++;
    let b = yMean[r]!;
    for (let j = 0; j < m; j++) b -= zMean[j]! * beta[j]!;
    intercepts[r] = b;
  }
  return { coefficients, intercepts, rank: gramRank(gram, m, Math.max(n, m)), sweeps, unconverged };
}

/** Soft threshold S(x, t) = sign(x) · max(|x| − t, 0). */
function softThreshold(x: number, t: number): number {
  return x > t ? x - t : x < -t ? x + t : 0;
}

/**
 * Cyclic coordinate descent on ½ βᵀGβ − cᵀβ + α‖β‖₁, from β = 0, in place. Stops when the largest optimality
 * violation, with g = c − Gβ recomputed after each sweep, is at most {@link LASSO_TOLERANCE} · max(α, ‖c‖∞).
 */
function coordinateDescent(gram: Float64Array, c: Float64Array, m: number, alpha: number, beta: Float64Array): { sweeps: number; converged: boolean } {
  let scale = alpha;
  for (let j = 0; j < m; j++) scale = Math.max(scale, Math.abs(c[j]!));
  const limit = LASSO_TOLERANCE * scale;
  const q = new Float64Array(m); // Gβ, updated as coordinates move
  for (let sweep = 1; sweep <= LASSO_MAX_SWEEPS; sweep++) {
    for (let j = 0; j < m; j++) {
      const gjj = gram[j * m + j]!;
      if (gjj <= 0) continue; // a feature that never varies: β_j stays 0, as in scikit-learn
      const old = beta[j]!;
      const next = softThreshold(c[j]! - q[j]! + gjj * old, alpha) / gjj;
      const delta = next - old;
      if (delta === 0) continue;
      beta[j] = next;
      for (let l = 0; l < m; l++) q[l]! += delta * gram[l * m + j]!;
    }
    // Recompute Gβ exactly (no drift from the updates) and check every coordinate's optimality condition.
    let violation = 0;
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let l = 0; l < m; l++) s += gram[j * m + l]! * beta[l]!;
      q[j] = s;
    }
    for (let j = 0; j < m; j++) {
      if (gram[j * m + j]! <= 0) continue;
      const g = c[j]! - q[j]!;
      const bj = beta[j]!;
      const off = bj > 0 ? Math.abs(g - alpha) : bj < 0 ? Math.abs(g + alpha) : Math.max(0, Math.abs(g) - alpha);
      violation = Math.max(violation, off);
    }
    if (violation <= limit) return { sweeps: sweep, converged: true };
  }
  return { sweeps: LASSO_MAX_SWEEPS, converged: false };
}

/** Rank of a symmetric positive semi-definite matrix by pivoted Cholesky: pivots ≤ size · ε · max diagonal are zero. */
function gramRank(gram: Float64Array, m: number, size: number): number {
  const s = Float64Array.from(gram);
  let largest = 0;
  for (let j = 0; j < m; j++) largest = Math.max(largest, s[j * m + j]!);
  const limit = size * Number.EPSILON * largest;
  const done = new Uint8Array(m);
  let rank = 0;
  for (let step = 0; step < m; step++) {
    let p = -1;
    for (let j = 0; j < m; j++) if (!done[j] && (p < 0 || s[j * m + j]! > s[p * m + p]!)) p = j;
    const pivot = s[p * m + p]!;
    if (!(pivot > limit)) break;
    done[p] = 1;
    rank++;
    // Schur complement: S ← S − s_p s_pᵀ / pivot on the remaining rows and columns.
    for (let i = 0; i < m; i++) {
      if (done[i]) continue;
      const f = s[i * m + p]! / pivot;
      for (let j = 0; j < m; j++) if (!done[j]) s[i * m + j]! -= f * s[p * m + j]!;
    }
  }
  return rank;
}
