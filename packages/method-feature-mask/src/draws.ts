import { SeededRandom } from '@envision/core';

/*
 * The random draws of the sampling methods, all from core's SeededRandom (mulberry32) started at the method's `seed`.
 * Every draw is a function of (number of features, number of samples, seed) only: not of the image, the target or
 * the batching, so the same seed gives the same maps, and every target row (and the `jacobian` strategy's per-element
 * attributions) uses the same draws.
 */

/**
 * `samples` uniform random permutations of 0 … m − 1 (Captum: `torch.randperm` per sample), each by a Fisher–Yates
 * shuffle of the identity: for i = m − 1 down to 1, swap i with j = integer(i + 1).
 */
export function drawPermutations(m: number, samples: number, seed: number): Int32Array[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: samples }, () => {
    const p = Int32Array.from({ length: m }, (_, i) => i);
    for (let i = m - 1; i > 0; i--) {
      const j = random.integer(i + 1);
      [p[i], p[j]] = [p[j]!, p[i]!];
    }
    return p;
  });
}

/**
 * KernelSHAP's coalitions as Captum samples them (`kernel_shap_perturb_generator`): first all features present, then
 * none, then `samples − 2` draws of (1) a size k in 1 … m − 1 with probability ∝ (m − 1) / (k (m − k)), by inverting
 * the cumulative sum with one uniform; (2) a uniform k-subset, by a partial Fisher–Yates shuffle (for i = 0 … k − 1,
 * swap i with i + integer(m − i); the first k are present). Returned as 0/1 rows of length m; with m = 1 every draw
 * after the first two is the full coalition (Captum's distribution is empty there).
 */
export function drawKernelShapCoalitions(m: number, samples: number, seed: number): Uint8Array[] {
  const random = new SeededRandom(seed);
  const out: Uint8Array[] = [];
  if (samples >= 1) out.push(new Uint8Array(m).fill(1));
  if (samples >= 2) out.push(new Uint8Array(m));
  const cumulative: number[] = [];
  let total = 0;
  for (let k = 1; k < m; k++) cumulative.push((total += (m - 1) / (k * (m - k))));
  while (out.length < samples) {
    const u = random.uniform() * total;
    let k = Math.max(1, m - 1);
    for (let i = 0; i < cumulative.length; i++) {
      if (u < cumulative[i]!) {
        k = i + 1;
        break;
      }
    }
    out.push(randomSubset(random, m, Math.min(k, m)));
  }
  return out;
}

/** LIME's coalitions (Captum's `default_perturb_func`): each feature present independently with probability ½ (uniform < ½). */
export function drawLimeCoalitions(m: number, samples: number, seed: number): Uint8Array[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: samples }, () => Uint8Array.from({ length: m }, () => (random.uniform() < 0.5 ? 1 : 0)));
}

/** A uniform k-subset of 0 … m − 1 as a 0/1 row. */
function randomSubset(random: SeededRandom, m: number, k: number): Uint8Array {
  const order = Int32Array.from({ length: m }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + random.integer(m - i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const row = new Uint8Array(m);
  for (let i = 0; i < k; i++) row[order[i]!] = 1;
  return row;
}
