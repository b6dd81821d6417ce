import { EnvisionError } from '@envision/onnx-grad';
import { type AttributionUse, type MapInput, type Region, applyUse, regionMask, toPlane } from './map.js';

/** Options of {@link pointingGame}. */
export interface PointingGameOptions {
  /**
   * Tolerance in pixels: the region is dilated by a disc of this radius before the hit test.
   * @default 15
   */
  readonly tolerance?: number | undefined;
  /**
   * Which values are maximised: `raw` the signed map, `positive` `max(m, 0)`, `absolute` `|m|` (for signed methods
   * whose strongest evidence may be negative).
   * @default 'raw'
   */
  readonly use?: AttributionUse | undefined;
}

/** The outcome of one {@link pointingGame}. */
export interface PointingResult {
  /** Whether the maximum lies within `tolerance` of the region. */
  readonly hit: boolean;
  /** Column of the maximum. */
  readonly x: number;
  /** Row of the maximum. */
  readonly y: number;
}

/**
 * Pointing game (Zhang et al. 2018, "Top-down neural attention by excitation backprop", IJCV): takes the pixel
 * `p = argmax m` of the map and counts a hit when it lies in the target region dilated by `tolerance` pixels
 * (15 in the paper), a miss otherwise. Accuracy over a data set is `hits / (hits + misses)`.
 *
 * Conventions:
 * - the dilation is a Euclidean disc, and as in TorchRay's reference implementation (`PointingGame.evaluate`) the
 *   distance must be strictly below the tolerance: `hit ⇔ ∃ q ∈ region: ‖q − p‖₂ < tolerance`, or `p ∈ region`
 *   (so `tolerance = 0` tests the region itself); a maximum exactly `tolerance` pixels away misses;
 * - ties at the maximum go to the first pixel in row-major order (as `numpy.argmax`); NaN values are never the maximum;
 * - an empty region is always a miss.
 *
 * @param map - the attribution map (channels are summed first)
 * @param region - the target: a mask of `H · W` values or a box (`x1`, `y1` exclusive)
 * @param options - tolerance and which values are maximised
 * @returns whether it is a hit, and where the maximum is
 * @throws EnvisionError `E_INPUT` when the mask size differs from the map's, the box does not fit it, or the map has
 * no non-NaN value; `E_CONFIG` for a negative or non-finite tolerance or an unknown `use`
 */
export function pointingGame(map: MapInput, region: Region, options: PointingGameOptions = {}): PointingResult {
  const tolerance = options.tolerance ?? 15;
  const use = options.use ?? 'raw';
  if (!(Number.isFinite(tolerance) && tolerance >= 0)) {
    throw new EnvisionError('E_CONFIG', `pointingGame: tolerance must be a finite number ≥ 0, got ${tolerance}`);
  }
  applyUse(0, use);
  const { values, width, height } = toPlane(map, 'pointingGame: map');
  const mask = regionMask(region, width, height, 'pointingGame');
  let best = -1;
  let bestValue = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = applyUse(values[i]!, use);
    if (v > bestValue || (best < 0 && v === -Infinity)) {
      best = i;
      bestValue = v;
    }
  }
  if (best < 0) throw new EnvisionError('E_INPUT', 'pointingGame: the map has no value that is not NaN');
  const x = best % width;
  const y = Math.floor(best / width);
  if (mask[best] !== 0) return { hit: true, x, y };
  const r = Math.ceil(tolerance);
  const t2 = tolerance * tolerance;
  for (let qy = Math.max(0, y - r); qy <= Math.min(height - 1, y + r); qy++) {
    for (let qx = Math.max(0, x - r); qx <= Math.min(width - 1, x + r); qx++) {
      const dx = qx - x;
      const dy = qy - y;
      if (dx * dx + dy * dy < t2 && mask[qy * width + qx] !== 0) return { hit: true, x, y };
    }
  }
  return { hit: false, x, y };
}
