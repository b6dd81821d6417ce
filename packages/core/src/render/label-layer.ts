import sharp, { type OutputInfo } from 'sharp';
import { EnvisionError, describeCause } from '@envision/onnx-grad';

/** The pixels an SVG layer covers: their indices (row-major) and their RGBA bytes, 4 per index. */
interface Layer {
  readonly indices: Uint32Array;
  readonly rgba: Uint8Array;
}

const MAX_LAYERS = 16;
const layers = new Map<string, Promise<Layer>>();

/**
 * Draws an SVG layer (the grid's labels) over an RGB canvas of the same size, in place: each pixel the layer covers
 * becomes `round((s · α + d · (255 − α)) / 255)` per channel (source over destination, straight alpha; libvips'
 * own composite agrees within 1 on anti-aliased edges). The layer is rasterised once by sharp's librsvg and kept for
 * the next canvas with the same SVG (the last 16): every figure of one target shares its labels.
 *
 * @param canvas - `width · height · 3` RGB bytes, drawn on
 * @param width - canvas width in pixels (the SVG's)
 * @param height - canvas height in pixels (the SVG's)
 * @param svg - the layer's SVG text
 * @throws EnvisionError `E_IMAGE` when the SVG cannot be rasterised at that size
 */
export async function drawSvgLayer(canvas: Uint8Array, width: number, height: number, svg: string): Promise<void> {
  const key = `${width}×${height}:${svg}`;
  let layer = layers.get(key);
  if (layer === undefined) {
    layer = rasterise(svg, width, height);
    layers.set(key, layer);
    layer.catch(() => layers.delete(key));
    if (layers.size > MAX_LAYERS) layers.delete(layers.keys().next().value!);
  }
  const { indices, rgba } = await layer;
  for (let i = 0; i < indices.length; i++) {
    const p = indices[i]! * 3;
    const a = rgba[i * 4 + 3]!;
    for (let ch = 0; ch < 3; ch++) canvas[p + ch] = Math.round((rgba[i * 4 + ch]! * a + canvas[p + ch]! * (255 - a)) / 255);
  }
}

async function rasterise(svg: string, width: number, height: number): Promise<Layer> {
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new EnvisionError('E_IMAGE', `cannot draw the grid's labels: ${describeCause(e)}`, e);
  }
  if (raw.info.width !== width || raw.info.height !== height || raw.info.channels !== 4) {
    throw new EnvisionError('E_IMAGE', `the grid's label layer is ${raw.info.width} × ${raw.info.height} × ${raw.info.channels}, expected ${width} × ${height} × 4`);
  }
  const covered: number[] = [];
  for (let p = 0; p < width * height; p++) if (raw.data[p * 4 + 3]! > 0) covered.push(p);
  const rgba = new Uint8Array(covered.length * 4);
  covered.forEach((p, i) => rgba.set(raw.data.subarray(p * 4, p * 4 + 4), i * 4));
  return { indices: Uint32Array.from(covered), rgba };
}
