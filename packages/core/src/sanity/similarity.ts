import { EnvisionError } from '@envision/onnx-grad';
import { spearman } from '../metrics/spearman.js';

/** The similarity measures of a sanity check. */
export type SanitySimilarity = 'spearman' | 'ssim';

/** Every similarity measure, in the order they are reported. */
export const SANITY_SIMILARITIES: readonly SanitySimilarity[] = ['spearman', 'ssim'];

/**
 * A map as Quantus' MPRT compares it (`abs=True`, `normalise=True`): the absolute values divided by their maximum, so
 * every value is in [0, 1] (an all-zero map stays zero).
 * @param values - the map's values (one channel-summed plane)
 * @returns float64 values in [0, 1]
 */
export function absNormalised(values: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(values, (v) => Math.abs(v));
  let max = 0;
  for (const v of out) if (v > max) max = v;
  if (max > 0) for (let i = 0; i < out.length; i++) out[i]! /= max;
  return out;
}

/**
 * The 1-D Gaussian window of `scipy.ndimage.gaussian_filter1d`: taps at −r…r with r = ⌊truncate·σ + ½⌋, weights
 * exp(−x²/(2σ²)) normalised to sum 1. For σ = 1.5 and truncate 3.5 (skimage's SSIM) it has 11 taps.
 */
export function gaussianWindow(sigma: number, truncate = 3.5): Float64Array {
  const r = Math.floor(truncate * sigma + 0.5);
  const w = Float64Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = w.reduce((s, v) => s + v, 0);
  return w.map((v) => v / sum);
}

/** Index `i` reflected into [0, n) as scipy's `mode='reflect'` does (d c b a | a b c d | d c b a). */
function reflect(i: number, n: number): number {
  const period = 2 * n;
  let k = ((i % period) + period) % period;
  if (k >= n) k = period - 1 - k;
  return k;
}

/** Separable Gaussian filter of an `[h, w]` plane with scipy's `reflect` boundary (`scipy.ndimage.gaussian_filter`). */
function gaussianFilter(x: Float64Array, h: number, w: number, window: Float64Array): Float64Array {
  const r = (window.length - 1) / 2;
  const tmp = new Float64Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let c = 0; c < w; c++) {
      let s = 0;
      for (let k = -r; k <= r; k++) s += window[k + r]! * x[y * w + reflect(c + k, w)]!;
      tmp[y * w + c] = s;
    }
  }
  const out = new Float64Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let c = 0; c < w; c++) {
      let s = 0;
      for (let k = -r; k <= r; k++) s += window[k + r]! * tmp[reflect(y + k, h) * w + c]!;
      out[y * w + c] = s;
    }
  }
  return out;
}

/** Options of {@link ssim}. */
export interface SsimOptions {
  /** Range of the values (max − min possible). @default 1 */
  readonly dataRange?: number;
  /** σ of the Gaussian window. @default 1.5 */
  readonly sigma?: number;
}

/**
 * Single-scale structural similarity (Wang et al. 2004) of two `[h, w]` planes, as
 * `skimage.metrics.structural_similarity(a, b, data_range=1, gaussian_weights=True, sigma=1.5,
 * use_sample_covariance=False)` computes it: local means, variances and covariance from an 11-tap Gaussian window
 * (σ 1.5, scipy's `reflect` boundary), K1 = 0.01, K2 = 0.03, the SSIM map averaged over the pixels at least 5 from
 * the border (the whole plane when it is smaller than 11).
 *
 * @param a - first plane, row-major
 * @param b - second plane, as large
 * @param height - rows
 * @param width - columns
 * @returns the mean SSIM, in [−1, 1]
 * @throws EnvisionError `E_INPUT` when the sizes do not match `height · width`
 */
export function ssim(a: ArrayLike<number>, b: ArrayLike<number>, height: number, width: number, options: SsimOptions = {}): number {
  const n = height * width;
  if (a.length !== n || b.length !== n) throw new EnvisionError('E_INPUT', `ssim: the planes have ${a.length} and ${b.length} values, expected ${height}×${width}`);
  const window = gaussianWindow(options.sigma ?? 1.5);
  const range = options.dataRange ?? 1;
  const c1 = (0.01 * range) ** 2;
  const c2 = (0.03 * range) ** 2;
  const x = Float64Array.from(a);
  const y = Float64Array.from(b);
  const f = (v: Float64Array) => gaussianFilter(v, height, width, window);
  const ux = f(x);
  const uy = f(y);
  const uxx = f(x.map((v) => v * v));
  const uyy = f(y.map((v) => v * v));
  const uxy = f(x.map((v, i) => v * y[i]!));
  const pad = (window.length - 1) / 2;
  const [y0, y1] = height > 2 * pad ? [pad, height - pad] : [0, height];
  const [x0, x1] = width > 2 * pad ? [pad, width - pad] : [0, width];
  let sum = 0;
  for (let r = y0; r < y1; r++) {
    for (let c = x0; c < x1; c++) {
      const i = r * width + c;
      const vx = uxx[i]! - ux[i]! * ux[i]!;
      const vy = uyy[i]! - uy[i]! * uy[i]!;
      const vxy = uxy[i]! - ux[i]! * uy[i]!;
      sum += ((2 * ux[i]! * uy[i]! + c1) * (2 * vxy + c2)) / ((ux[i]! ** 2 + uy[i]! ** 2 + c1) * (vx + vy + c2));
    }
  }
  return sum / ((y1 - y0) * (x1 - x0));
}

/**
 * The similarity of a map with the original one, Quantus-style: Spearman's ρ of the absolute values (ties averaged;
 * NaN when either map is constant), or SSIM of the absolute maps divided by their maxima (data range 1).
 * @param original - the original map, one `[h, w]` plane
 * @param other - the map to compare, as large
 */
export function mapSimilarity(measure: SanitySimilarity, original: ArrayLike<number>, other: ArrayLike<number>, height: number, width: number): number {
  if (measure === 'spearman') return spearman(Float64Array.from(original, Math.abs), Float64Array.from(other, Math.abs));
  return ssim(absNormalised(original), absNormalised(other), height, width);
}
