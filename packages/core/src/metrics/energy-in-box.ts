import { type MapInput, type MassUse, type Region, checkMassUse, massInside, regionMask, toPlane } from './map.js';

/** Options of {@link energyInBox}. */
export interface EnergyInBoxOptions {
  /**
   * Which attribution counts as energy: `positive` `m⁺ = max(m, 0)` (evidence for the target), `absolute` `|m|`.
   * @default 'positive'
   */
  readonly use?: MassUse | undefined;
}

/**
 * Energy-based pointing game (Wang et al. 2020, "Score-CAM: Score-weighted visual explanations for convolutional
 * neural networks", CVPR Workshops): the share of the attribution energy inside the target region,
 * `Σ_{p ∈ region} m⁺_p / Σ_p m⁺_p`, with `m⁺ = max(m, 0)` by default (Score-CAM's maps are non-negative) or `|m|` with
 * `use: 'absolute'`. Unlike the {@link pointingGame} it credits every pixel, not just the maximum. Returns 0 when
 * the total energy is 0. NaN values count as no attribution.
 *
 * @param map - the attribution map (channels are summed first)
 * @param region - the target: a mask of `H · W` values or a box (`x1`, `y1` exclusive)
 * @param options - which attribution counts as energy
 * @returns the share in [0, 1]
 * @throws EnvisionError `E_INPUT` when the mask size differs from the map's or the box does not fit it;
 * `E_CONFIG` for an unknown `use`
 */
export function energyInBox(map: MapInput, region: Region, options: EnergyInBoxOptions = {}): number {
  const use = checkMassUse(options.use ?? 'positive', 'energyInBox');
  const { values, width, height } = toPlane(map, 'energyInBox: map');
  const mask = regionMask(region, width, height, 'energyInBox');
  const { inside, total } = massInside(values, mask, use);
  return total > 0 ? Math.min(1, Math.max(0, inside / total)) : 0;
}
