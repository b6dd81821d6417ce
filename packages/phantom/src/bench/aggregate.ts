import { EnvisionError } from '@envision/core';
import {
  BENCH_APPROACHES,
  type BenchApproach,
  type BenchFindingRecord,
  type BenchImageRecord,
  type BenchScores,
  type FindingScores,
  type PhantomBenchJson,
} from './types.js';

const FINDING_METRICS = ['pointingGame', 'energyInBox', 'massOutsideBody', 'deletionAuc', 'insertionAuc'] as const;

/**
 * The mean of the finite values; `fallback` when there is none.
 *
 * @param values - the values (NaN ones are left out)
 * @param fallback - the result for no finite value
 * @returns the mean
 */
export function finiteMean(values: readonly number[], fallback: number): number {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    sum += v;
    n++;
  }
  return n === 0 ? fallback : sum / n;
}

/**
 * Means of the per-finding numbers of one method and approach over findings.
 *
 * @param records - the findings (at least one)
 * @param method - the method id
 * @param approach - the approach
 * @returns the five means
 * @throws EnvisionError `E_INPUT` when there is no record or one lacks the method
 */
export function meanFindingScores(records: readonly BenchFindingRecord[], method: string, approach: BenchApproach): FindingScores {
  if (records.length === 0) throw new EnvisionError('E_INPUT', 'bench: no findings to average');
  const pick = records.map((r) => {
    const s = r.scores[method]?.[approach];
    if (s === undefined) throw new EnvisionError('E_INPUT', `bench: finding of seed ${r.seed} has no ${approach} scores for method ${method}`);
    return s;
  });
  const out = {} as Record<(typeof FINDING_METRICS)[number], number>;
  for (const key of FINDING_METRICS) out[key] = pick.reduce((a, s) => a + s[key], 0) / pick.length;
  return out;
}

/**
 * Assembles the benchmark's JSON contract: per method and approach, the means over findings of pointing game,
 * energy-in-box, mass outside the body and the deletion/insertion AUCs, and the mean over images of the class-map
 * similarity (images whose similarity is undefined — a constant class map — are left out; 0 when none is defined).
 * A NaN accuracy (no image counted) becomes 0.
 *
 * @param methods - method ids, in report order
 * @param findings - one record per benchmarked finding
 * @param images - one record per benchmarked image
 * @param zeroShotAccuracy - the prompt classifier's accuracy on the accuracy set
 * @returns the JSON object (keys in contract order)
 */
export function summarizeBench(
  methods: readonly string[],
  findings: readonly BenchFindingRecord[],
  images: readonly BenchImageRecord[],
  zeroShotAccuracy: number,
): PhantomBenchJson {
  const out: Record<string, Record<BenchApproach, BenchScores>> = {};
  for (const method of methods) {
    const byApproach = {} as Record<BenchApproach, BenchScores>;
    for (const approach of BENCH_APPROACHES) {
      const f = meanFindingScores(findings, method, approach);
      const similarity = finiteMean(
        images.map((im) => im.classMapSimilarity[method]?.[approach] ?? NaN),
        0,
      );
      byApproach[approach] = {
        pointingGame: f.pointingGame,
        energyInBox: f.energyInBox,
        massOutsideBody: f.massOutsideBody,
        classMapSimilarity: similarity,
        deletionAuc: f.deletionAuc,
        insertionAuc: f.insertionAuc,
      };
    }
    out[method] = byApproach;
  }
  return { zeroShotAccuracy: Number.isFinite(zeroShotAccuracy) ? zeroShotAccuracy : 0, n: images.length, methods: out };
}
