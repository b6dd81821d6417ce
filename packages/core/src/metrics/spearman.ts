import { EnvisionError } from '@envision/onnx-grad';
import { type AttributionUse, type MapInput, applyUse, formatSize, toPlane } from './map.js';

/**
 * Ranks values from 1 to n, giving tied values the average of the ranks they span (scipy's
 * `rankdata(method='average')`). NaN values get rank NaN.
 *
 * @param values - the values
 * @returns their ranks, in float64
 */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  // The native typed-array sort (NaN last, −0 before 0); each value's tie group is found by two binary searches, so
  // the ranks need no comparator calls: tens of times faster than sorting indices on 224² maps.
  const sorted = Float64Array.from(values).sort();
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = Number(values[i]);
    if (Number.isNaN(v)) {
      ranks[i] = NaN;
      continue;
    }
    // sorted[lo..hi−1] are the values equal to v (−0 and 0 alike): they hold ranks lo+1..hi, whose mean is (lo+1+hi)/2
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    let end = lo;
    hi = n;
    while (end < hi) {
      const mid = (end + hi) >>> 1;
      if (sorted[mid]! <= v) end = mid + 1;
      else hi = mid;
    }
    ranks[i] = (lo + 1 + end) / 2;
  }
  return ranks;
}

/** Pearson correlation of two equally long float64 arrays; NaN when either is constant or shorter than 2. */
function pearson(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  if (n < 2) return NaN;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    cov += da * db;
    va += da * da;
    vb += db * db;
  }
  if (!(va > 0 && vb > 0)) return NaN;
  return Math.max(-1, Math.min(1, cov / Math.sqrt(va * vb)));
}

/**
 * Spearman's rank correlation ρ (Spearman 1904): the Pearson correlation of the average ranks
 * (see {@link averageRanks}) of `a` and `b`,
 * `ρ = Σ (r_i − r̄)(s_i − s̄) / √(Σ (r_i − r̄)² · Σ (s_i − s̄)²)`,
 * which is what `scipy.stats.spearmanr(a, b)` returns, ties included.
 *
 * NaN when either input is constant or has fewer than 2 values (as scipy), or contains NaN (scipy's default
 * `nan_policy='propagate'`).
 *
 * @param a - first values
 * @param b - second values, as many as `a`
 * @returns ρ in [−1, 1], or NaN
 * @throws EnvisionError `E_INPUT` when the lengths differ
 */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new EnvisionError('E_INPUT', `spearman: the inputs have ${a.length} and ${b.length} values`);
  }
  return pearson(averageRanks(a), averageRanks(b));
}

/** Options of {@link classMapSimilarity}. */
export interface ClassMapSimilarityOptions {
  /**
   * Which part of each map is ranked: `raw` the signed values, `positive` `max(m, 0)` (all negative evidence ties at
   * 0, so maps that agree only on where evidence is absent still correlate), `absolute` `|m|` (where the model looks,
   * whatever the sign).
   * @default 'raw'
   */
  readonly use?: AttributionUse | undefined;
}

/**
 * Class-map similarity: the mean Spearman correlation (see {@link spearman}) over all `k(k−1)/2` unordered pairs of
 * the `k` maps one image gets for `k` different targets (classes or prompts),
 * `S = 2 / (k(k−1)) · Σ_{i<j} ρ(m_i, m_j)`.
 *
 * It makes the complaint that an explanation is class-agnostic measurable: near 1 means every class gets the same
 * map (the method shows where the image is salient, not what distinguishes the class), near 0 means unrelated maps.
 * Comparing maps by Spearman rank correlation, with and without absolute values, follows Adebayo et al. 2018
 * ("Sanity checks for saliency maps", NeurIPS).
 *
 * A map that is constant after `use` (e.g. all-zero positive part) makes its pairs, and hence the mean, NaN.
 *
 * @param maps - at least two maps of the same size (planes, tensors, or plain arrays of values)
 * @param options - which part of the maps to rank
 * @returns the mean pairwise ρ in [−1, 1], or NaN
 * @throws EnvisionError `E_INPUT` for fewer than two maps or maps of different sizes; `E_CONFIG` for an unknown `use`
 */
export function classMapSimilarity(maps: readonly (MapInput | ArrayLike<number>)[], options: ClassMapSimilarityOptions = {}): number {
  const use = options.use ?? 'raw';
  applyUse(0, use); // rejects an unknown use even before any map is read
  if (maps.length < 2) throw new EnvisionError('E_INPUT', `classMapSimilarity: needs at least two maps, got ${maps.length}`);
  const read = maps.map((m, k) => {
    if ('shape' in m || 'width' in m) {
      const p = toPlane(m, `classMapSimilarity: map ${k}`);
      return { values: p.values as ArrayLike<number>, size: formatSize(p.height, p.width), planar: true };
    }
    return { values: m, size: `${m.length} values`, planar: false };
  });
  const first = read[0]!;
  const ranks = read.map(({ values, size, planar }, k) => {
    if (values.length !== first.values.length || (planar && first.planar && size !== first.size)) {
      throw new EnvisionError('E_INPUT', `classMapSimilarity: map ${k} is ${size} but map 0 is ${first.size}`);
    }
    return averageRanks(Float64Array.from(values, (v) => applyUse(v, use)));
  });
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < ranks.length; i++) {
    for (let j = i + 1; j < ranks.length; j++) {
      sum += pearson(ranks[i]!, ranks[j]!);
      pairs++;
    }
  }
  return sum / pairs;
}
