import { EnvisionError } from '@envision/onnx-grad';
import { type MapInput, type MassUse, checkMassUse, formatSize, massInside, toPlane } from './map.js';

/** Options of {@link massOutside}. */
export interface MassOutsideOptions {
  /**
   * Which attribution counts as mass: `positive` `m⁺ = max(m, 0)` (evidence for the target), `absolute` `|m|`.
   * @default 'positive'
   */
  readonly use?: MassUse | undefined;
}

/**
 * Share of the attribution mass that falls outside a body mask (e.g. the patient's body or the lungs on a chest
 * X-ray): `Σ_{p ∉ mask} m⁺_p / Σ_p m⁺_p`, with `m⁺ = max(m, 0)` by default or `|m|` with `use: 'absolute'`.
 * 0 means all evidence lies on the body, 1 that all of it lies on background, labels, markers or borders — the
 * shortcut signal of DeGrave et al. 2021 ("AI for radiographic COVID-19 detection selects shortcuts over signal",
 * Nature Machine Intelligence). Returns 0 when the total mass is 0. NaN values count as no attribution.
 *
 * @param map - the attribution map (channels are summed first)
 * @param mask - `H · W` values, row-major; non-zero (normally 1) marks a pixel of the body
 * @param options - which attribution counts as mass
 * @returns the share in [0, 1]
 * @throws EnvisionError `E_INPUT` when the mask size differs from the map's; `E_CONFIG` for an unknown `use`
 */
export function massOutside(map: MapInput, mask: Uint8Array, options: MassOutsideOptions = {}): number {
  const use = checkMassUse(options.use ?? 'positive', 'massOutside');
  const { values, width, height } = toPlane(map, 'massOutside: map');
  if (mask.length !== values.length) {
    throw new EnvisionError('E_INPUT', `massOutside: mask has ${mask.length} values but the map is ${formatSize(height, width)} (${values.length} pixels)`);
  }
  const { inside, total } = massInside(values, mask, use);
  return total > 0 ? Math.min(1, Math.max(0, (total - inside) / total)) : 0;
}
