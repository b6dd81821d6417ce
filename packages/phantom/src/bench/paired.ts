import { SeededRandom } from '@envision/core';
import { BENCH_METRICS, type BenchFindingRecord, type BenchImageRecord, type BenchMetric } from './types.js';

/** Bootstrap resamples of {@link pairedDifferences} unless told otherwise. */
export const DEFAULT_RESAMPLES = 2000;

/** The proposed approach's advantage on one metric: proposed − baseline, with a bootstrap interval. */
export interface PairedDifference {
  /** Mean of proposed − baseline over the findings (class-map similarity: over the images where it is defined). */
  readonly mean: number;
  /** Lower end of the interval. */
  readonly low: number;
  /** Upper end of the interval. */
  readonly high: number;
  /** How many pairs the mean is over. */
  readonly pairs: number;
}

/** Settings of {@link pairedDifferences}. */
export interface PairedDifferenceOptions {
  /** Bootstrap resamples. @default 2000 */
  readonly resamples?: number;
  /** Coverage of the interval. @default 0.95 */
  readonly level?: number;
  /** Seed of the resampling. @default 0 */
  readonly seed?: number;
}

/** The differences per method and metric, with the settings that produced the intervals. */
export interface PairedDifferences {
  readonly resamples: number;
  readonly level: number;
  readonly seed: number;
  /** Per method id, per metric. */
  readonly methods: Readonly<Record<string, Readonly<Record<BenchMetric, PairedDifference>>>>;
}

/** Whether the interval of a difference excludes 0 (the difference is resolved at the interval's level). */
export function excludesZero(d: PairedDifference): boolean {
  return d.low > 0 || d.high < 0;
}

/** Quantile `p` of sorted values, linear between order statistics (R's type 7, numpy's default). */
export function sortedQuantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * Proposed − baseline per method and metric, paired by finding (class-map similarity: by image), with a percentile
 * bootstrap interval that resamples **phantoms** with replacement (a cluster bootstrap: the findings of one phantom
 * share its image and are not independent). Each resample draws as many phantoms as were benchmarked and takes the
 * ratio of the summed differences to the number of pairs drawn; one set of draws serves every method and metric.
 * Deterministic for a fixed seed.
 *
 * @param findings - the per-finding records
 * @param images - the per-image records
 * @param methods - method ids, in report order
 * @param options - resamples, level, seed
 * @returns the differences; NaN where a metric has no pair
 */
export function pairedDifferences(
  findings: readonly BenchFindingRecord[],
  images: readonly BenchImageRecord[],
  methods: readonly string[],
  options: PairedDifferenceOptions = {},
): PairedDifferences {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const level = options.level ?? 0.95;
  const seed = options.seed ?? 0;
  const phantoms = [...new Set([...images.map((im) => im.seed), ...findings.map((f) => f.seed)])].sort((a, b) => a - b);
  const index = new Map(phantoms.map((s, i) => [s, i]));
  const random = new SeededRandom(seed);
  const draws = Array.from({ length: resamples }, () => Array.from(phantoms, () => random.integer(phantoms.length)));
  const out: Record<string, Record<BenchMetric, PairedDifference>> = {};
  for (const method of methods) {
    const byMetric = {} as Record<BenchMetric, PairedDifference>;
    for (const metric of BENCH_METRICS) {
      // Per phantom: the summed differences and the number of pairs.
      const sum = new Float64Array(phantoms.length);
      const count = new Float64Array(phantoms.length);
      const add = (s: number, d: number) => {
        if (!Number.isFinite(d)) return;
        sum[index.get(s)!]! += d;
        count[index.get(s)!]! += 1;
      };
      if (metric === 'classMapSimilarity') {
        for (const im of images) {
          const c = im.classMapSimilarity[method];
          if (c !== undefined) add(im.seed, c.proposed - c.baseline);
        }
      } else {
        for (const f of findings) {
          const s = f.scores[method];
          if (s !== undefined) add(f.seed, s.proposed[metric] - s.baseline[metric]);
        }
      }
      const pairs = count.reduce((a, b) => a + b, 0);
      const mean = pairs === 0 ? NaN : sum.reduce((a, b) => a + b, 0) / pairs;
      const means: number[] = [];
      for (const draw of draws) {
        let s = 0;
        let n = 0;
        for (const i of draw) {
          s += sum[i]!;
          n += count[i]!;
        }
        if (n > 0) means.push(s / n);
      }
      means.sort((a, b) => a - b);
      byMetric[metric] = { mean, low: sortedQuantile(means, (1 - level) / 2), high: sortedQuantile(means, (1 + level) / 2), pairs };
    }
    out[method] = byMetric;
  }
  return { resamples, level, seed, methods: out };
}
