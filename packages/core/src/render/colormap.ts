import { EnvisionError } from '@envision/onnx-grad';
import type { Sign } from './normalize.js';

/** An RGB colour, three bytes 0–255. */
export type Rgb = readonly [number, number, number];

/** The colour maps Captum's `visualize_image_attr` uses by default, one per {@link Sign}. */
export type ColormapName = 'RdWhGn' | 'Greens' | 'Reds' | 'Blues';

/**
 * Anchor colours of each map, evenly spaced over [0, 1].
 *
 * `Greens`, `Reds` and `Blues` are matplotlib's ColorBrewer tables `_Greens_data`, `_Reds_data`, `_Blues_data`
 * (`matplotlib/_cm.py`, nine anchors each, published as fractions k/255). `RdWhGn` is the map Captum builds with
 * `LinearSegmentedColormap.from_list("RdWhGn", ["red", "white", "green"])`, where matplotlib's named `"green"` is the
 * CSS colour `#008000`, i.e. (0, 128, 0), not (0, 255, 0).
 */
export const COLORMAP_ANCHORS: Readonly<Record<ColormapName, readonly Rgb[]>> = {
  RdWhGn: [
    [255, 0, 0],
    [255, 255, 255],
    [0, 128, 0],
  ],
  Greens: [
    [247, 252, 245], [229, 245, 224], [199, 233, 192], [161, 217, 155], [116, 196, 118],
    [65, 171, 93], [35, 139, 69], [0, 109, 44], [0, 68, 27],
  ],
  Reds: [
    [255, 245, 240], [254, 224, 210], [252, 187, 161], [252, 146, 114], [251, 106, 74],
    [239, 59, 44], [203, 24, 29], [165, 15, 21], [103, 0, 13],
  ],
  Blues: [
    [247, 251, 255], [222, 235, 247], [198, 219, 239], [158, 202, 225], [107, 174, 214],
    [66, 146, 198], [33, 113, 181], [8, 81, 156], [8, 48, 107],
  ],
};

/** Entries in each lookup table: matplotlib's default `rcParams['image.lut']`, which all these maps use. */
export const LUT_SIZE = 256;

/** A colour map with the value range that maps onto it (Captum's `vmin`, `vmax`). */
export interface ColormapSpec {
  /** Which map. */
  readonly name: ColormapName;
  /** The value drawn with the map's first colour. */
  readonly vmin: number;
  /** The value drawn with the map's last colour. */
  readonly vmax: number;
}

/**
 * Captum's default colour map and value range for a sign (`_initialize_cmap_and_vmin_vmax`):
 * `all` → `RdWhGn` over [−1, 1]; `positive` → `Greens`, `negative` → `Reds`, `absolute_value` → `Blues`, each over [0, 1].
 *
 * @param sign - the sign being shown
 * @returns the map and its value range
 * @throws EnvisionError `E_CONFIG` for an unknown sign
 */
export function colormapForSign(sign: Sign): ColormapSpec {
  switch (sign) {
    case 'all':
      return { name: 'RdWhGn', vmin: -1, vmax: 1 };
    case 'positive':
      return { name: 'Greens', vmin: 0, vmax: 1 };
    case 'negative':
      return { name: 'Reds', vmin: 0, vmax: 1 };
    case 'absolute_value':
      return { name: 'Blues', vmin: 0, vmax: 1 };
    default:
      throw new EnvisionError('E_CONFIG', `unknown sign '${String(sign)}' (use positive, negative, absolute_value or all)`);
  }
}

const luts = new Map<ColormapName, Float64Array>();

/**
 * The map's lookup table as matplotlib builds it (`LinearSegmentedColormap` with N = {@link LUT_SIZE},
 * `_create_lookup_table`): entry i is the linear interpolation through the anchors at x = i / (N − 1).
 *
 * @param name - which map
 * @returns `N·3` RGB components in [0, 1], entry-major (cached; do not modify)
 */
export function lookupTable(name: ColormapName): Float64Array {
  let lut = luts.get(name);
  if (lut !== undefined) return lut;
  const anchors = COLORMAP_ANCHORS[name];
  const last = anchors.length - 1;
  const span = (LUT_SIZE - 1) / last; // distance between anchors in LUT-index units
  lut = new Float64Array(LUT_SIZE * 3);
  for (let i = 0; i < LUT_SIZE; i++) {
    const x = i * (1 / (LUT_SIZE - 1)) * (LUT_SIZE - 1); // as numpy: (N − 1) · linspace(0, 1, N)
    const k = Math.min(last, Math.max(1, Math.ceil(x / span))); // anchor at or right of x (searchsorted, left)
    const d = (x - (k - 1) * span) / span;
    for (let ch = 0; ch < 3; ch++) {
      const y0 = anchors[k - 1]![ch]! / 255;
      const y1 = anchors[k]![ch]! / 255;
      // matplotlib pins both ends to the end anchors exactly
      const y = i === 0 ? anchors[0]![ch]! / 255 : i === LUT_SIZE - 1 ? anchors[last]![ch]! / 255 : d * (y1 - y0) + y0;
      lut[i * 3 + ch] = Math.min(1, Math.max(0, y));
    }
  }
  luts.set(name, lut);
  return lut;
}

/**
 * The LUT entry matplotlib picks for a value already scaled to [0, 1]: `floor(t · N)`, with t = 1 the last entry,
 * values below 0 the first and above 1 the last (matplotlib's default under/over colours).
 */
function lutIndex(t: number): number {
  if (!(t > 0)) return 0;
  return Math.min(LUT_SIZE - 1, Math.floor(t * LUT_SIZE));
}

/**
 * The colour of a scaled value t ∈ [0, 1] in a map, as matplotlib's `cmap(t)`, rounded to the nearest byte
 * (matplotlib's `bytes=True` truncates instead, so components may differ from it by 1).
 *
 * @param name - which map
 * @param t - the value, already scaled to [0, 1]
 * @returns the RGB bytes
 */
export function colorAt(name: ColormapName, t: number): Rgb {
  const bytes = byteTable(name);
  const i = lutIndex(t) * 3;
  return [bytes[i]!, bytes[i + 1]!, bytes[i + 2]!];
}

/**
 * Colours normalised attributions with Captum's default map for the sign (see {@link colormapForSign}): each value
 * is scaled from [vmin, vmax] to [0, 1] (matplotlib's `Normalize`), then looked up as in {@link colorAt}. NaN, which
 * matplotlib leaves transparent, is drawn white (the figure background).
 *
 * @param normalized - values from {@link normalizeAttr}: in [−1, 1] for `all`, in [0, 1] for the other signs
 * @param sign - the sign they were normalised for
 * @returns `3·n` RGB bytes, pixel-major
 */
export function colorize(normalized: ArrayLike<number>, sign: Sign): Uint8Array {
  const { name, vmin, vmax } = colormapForSign(sign);
  const bytes = byteTable(name);
  const out = new Uint8Array(normalized.length * 3);
  for (let p = 0; p < normalized.length; p++) {
    const v = normalized[p]!;
    if (Number.isNaN(v)) {
      out[p * 3] = out[p * 3 + 1] = out[p * 3 + 2] = 255;
    } else {
      const i = lutIndex((v - vmin) / (vmax - vmin)) * 3;
      out[p * 3] = bytes[i]!;
      out[p * 3 + 1] = bytes[i + 1]!;
      out[p * 3 + 2] = bytes[i + 2]!;
    }
  }
  return out;
}

const byteTables = new Map<ColormapName, Uint8Array>();

/** The LUT of a map rounded to the nearest byte: `3 · LUT_SIZE` RGB bytes. */
function byteTable(name: ColormapName): Uint8Array {
  let bytes = byteTables.get(name);
  if (bytes === undefined) {
    const lut = lookupTable(name);
    bytes = new Uint8Array(LUT_SIZE * 3);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.round(lut[i]! * 255);
    byteTables.set(name, bytes);
  }
  return bytes;
}
