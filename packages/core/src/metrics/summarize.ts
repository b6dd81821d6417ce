import { EnvisionError } from '@envision/onnx-grad';

/** Summary statistics of a sample (see {@link summarize}). */
export interface Summary {
  /** Number of values n. */
  readonly n: number;
  /** Arithmetic mean. */
  readonly mean: number;
  /** Sample standard deviation (denominator n − 1); NaN for n = 1. */
  readonly sd: number;
  /** Half-width of the 95 % confidence interval of the mean, `1.96 · sd / √n`; NaN for n = 1. */
  readonly ci95: number;
}

/**
 * Mean, sample standard deviation and 95 % confidence half-width of a sample, for reporting a metric as
 * `mean ± ci95` over images:
 * `mean = Σ v / n`, `sd = √(Σ (v − mean)² / (n − 1))` (Bessel-corrected, as `numpy.std(ddof=1)` and R's `sd`),
 * `ci95 = 1.96 · sd / √n` (normal approximation; for small n a Student-t quantile would be wider).
 * Sums are accumulated in float64; NaN values propagate.
 *
 * @param values - the sample, at least one value
 * @returns n, mean, sd and ci95
 * @throws EnvisionError `E_INPUT` for an empty sample
 */
export function summarize(values: ArrayLike<number>): Summary {
  const n = values.length;
  if (n === 0) throw new EnvisionError('E_INPUT', 'summarize: no values');
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  if (n === 1) return { n, mean, sd: NaN, ci95: NaN };
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i]! - mean) ** 2;
  const sd = Math.sqrt(ss / (n - 1));
  return { n, mean, sd, ci95: (1.96 * sd) / Math.sqrt(n) };
}
