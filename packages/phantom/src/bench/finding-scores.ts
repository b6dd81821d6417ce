import { type PlanarImage, type Scorer, deletionAuc, energyInBox, insertionAuc, type PlaneMap, massOutside, pointingGame, classMapSimilarity, row, type Tensor } from '@envision/core';
import type { BenchFinding, FindingScores } from './types.js';

/** Pointing-game tolerance of Zhang et al. (15 px at 224 px), scaled to an image of `size` pixels. */
export function scaledTolerance(size: number): number {
  return (15 * size) / 224;
}

/**
 * The localisation numbers of one class map against one finding:
 * - `pointingGame`: 1 when the maximum of the signed map lies in the finding's mask, or closer to it than
 *   `tolerance` pixels; else 0 ({@link pointingGame}, `use: 'raw'`);
 * - `energyInBox`: the share of the positive part `max(m, 0)` inside the finding's box ({@link energyInBox});
 * - `massOutsideBody`: the share of `|m|` outside the body mask ({@link massOutside}, `use: 'absolute'`).
 *
 * @param map - the channel-summed class map
 * @param finding - its mask and box
 * @param bodyMask - 1 inside the body
 * @param tolerance - pointing-game tolerance in pixels
 * @returns the three numbers
 */
export function localizationScores(
  map: PlaneMap,
  finding: BenchFinding,
  bodyMask: Uint8Array,
  tolerance: number,
): Pick<FindingScores, 'pointingGame' | 'energyInBox' | 'massOutsideBody'> {
  return {
    pointingGame: pointingGame(map, { mask: finding.mask }, { tolerance, use: 'raw' }).hit ? 1 : 0,
    energyInBox: energyInBox(map, { box: finding.box }, { use: 'positive' }),
    massOutsideBody: massOutside(map, bodyMask, { use: 'absolute' }),
  };
}

/**
 * Deletion and insertion AUCs (RISE) of one class map: pixels are replaced by the black image (deletion, starting
 * from the image) or copied into it (insertion, starting from black) in order of decreasing signed attribution, in
 * `steps` equal steps; each curve's `steps + 1` images are scored in one call. The AUC is over the fraction of pixels
 * changed, in [0, 1] when the score is a probability.
 *
 * @param map - the channel-summed class map
 * @param image - the preprocessed image, planar
 * @param black - the preprocessed black image (grey level 0), as many values as `image`
 * @param score - the explained class's score of each image (its softmax probability)
 * @param steps - steps of each curve
 * @returns both AUCs
 */
export async function causalScores(
  map: PlaneMap,
  image: PlanarImage,
  black: Float32Array,
  score: Scorer,
  steps: number,
): Promise<Pick<FindingScores, 'deletionAuc' | 'insertionAuc'>> {
  const options = { steps, batchSize: steps + 1 };
  const deletion = await deletionAuc(map, image, black, score, options);
  const insertion = await insertionAuc(map, image, black, score, options);
  return { deletionAuc: deletion.auc, insertionAuc: insertion.auc };
}

/**
 * Row `k` of class maps `[K, H, W]` as a plane.
 *
 * @param maps - the class maps
 * @param k - the class's row
 * @returns the plane (a view, not a copy)
 */
export function classPlane(maps: Tensor<'float32'>, k: number): PlaneMap {
  const [, height, width] = maps.shape as [number, number, number];
  return { data: row(maps, k).data, height, width };
}

/**
 * Class-map similarity of one image: the mean pairwise Spearman correlation of its signed class maps
 * ({@link classMapSimilarity}, `use: 'raw'`). NaN when a map is constant.
 *
 * @param maps - the class maps `[K, H, W]`, K ≥ 2
 * @returns the mean ρ in [−1, 1], or NaN
 */
export function imageClassMapSimilarity(maps: Tensor<'float32'>): number {
  const k = maps.shape[0]!;
  return classMapSimilarity(Array.from({ length: k }, (_, r) => classPlane(maps, r)), { use: 'raw' });
}
