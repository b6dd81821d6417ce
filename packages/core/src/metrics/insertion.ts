import { type CausalOptions, type CausalResult, type PlanarImage, type Scorer, causalCurve } from './causal.js';
import type { MapInput } from './map.js';

/**
 * Insertion metric (Petsiuk et al. 2018, "RISE: Randomized input sampling for explanation of black-box models",
 * BMVC): starting from the baseline image (RISE uses a blurred copy; a constant works too), copies the image's
 * pixels in ("inserts" them) in order of decreasing attribution — the signed map, so the most positive evidence goes
 * first; ties in row-major order — in `steps` equal steps of `N / steps` pixels (N = H·W; all channels of a pixel
 * at once; step k has inserted `round(k · N / steps)` pixels), scores each of the `steps + 1` images, and returns
 * the curve and its area by the trapezoidal rule over the fraction of inserted pixels,
 * `AUC = Σ_k (x_{k+1} − x_k)(s_k + s_{k+1}) / 2` on [0, 1]. Higher is better: a faithful map names pixels that
 * restore the score fast.
 *
 * @param map - the attribution map, `H × W` like the image (channels are summed first)
 * @param image - the input image, `C · H · W` values
 * @param baseline - the start image: a number (a constant image) or `C · H · W` values (e.g. a blurred image)
 * @param score - the batched scorer
 * @param options - steps (default 50), batch size (default 16), normalisation by the start score (default off)
 * @returns the AUC, the `steps + 1` scores and their fractions
 * @throws EnvisionError `E_INPUT` when the map, image and baseline sizes disagree or the scorer returns the wrong
 * number of scores or a non-finite one (or a zero start score with `normalize`); `E_CONFIG` for non-positive-integer
 * `steps` or `batchSize`
 */
export function insertionAuc(
  map: MapInput,
  image: PlanarImage,
  baseline: number | Float32Array,
  score: Scorer,
  options: CausalOptions = {},
): Promise<CausalResult> {
  return causalCurve('insertionAuc', map, image, baseline, false, score, options);
}
