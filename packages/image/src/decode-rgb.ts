import { type DecodeOptions, type StoredPixels, readPixels } from './decode-image.js';

/** An 8-bit RGB image: `width · height · 3` values, row-major, channels interleaved (r, g, b per pixel). */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/**
 * Reads an image file as 8-bit RGB, as PIL's `Image.open(file).convert('RGB')` gives it — the first step of every
 * CLIP-family image processor:
 *
 * - grey is repeated to three channels; an alpha channel is dropped (PIL's `convert('RGB')` does not composite);
 * - 16-bit colour keeps the high byte of each value (PIL reads 16-bit RGB PNGs that way); 16-bit grey is clipped
 *   to 255 (PIL's `I` → `RGB` conversion);
 * - DICOM (which PIL cannot open) is read as {@link decodeGrey} reads it, in [0, 1], then rounded to 8 bits,
 *   `round(255 · v)`, and repeated to three channels.
 *
 * @param file - the image file (PNG, JPEG, whatever else sharp decodes, or DICOM)
 * @param options - the pixel limit
 * @throws EnvisionError `E_IMAGE` as {@link decodeGrey}
 */
export async function decodeRgb(file: string, options: DecodeOptions = {}): Promise<RgbImage> {
  return toRgb(await readPixels(file, options));
}

/** PIL's `convert('RGB')` of stored pixels (see {@link decodeRgb}). */
export function toRgb(pixels: StoredPixels): RgbImage {
  const { width, height } = pixels;
  const n = width * height;
  const out = new Uint8Array(n * 3);
  if (pixels.kind === 'dicom') {
    for (let i = 0; i < n; i++) out.fill(Math.round(255 * pixels.data[i]!), 3 * i, 3 * i + 3);
    return { width, height, data: out };
  }
  const { channels, data } = pixels;
  const level = pixels.kind === 'u8' ? (v: number) => v : channels === 1 ? (v: number) => Math.min(v, 255) : (v: number) => v >> 8;
  for (let i = 0, p = 0; i < n; i++, p += channels) {
    if (channels === 1) out.fill(level(data[p]!), 3 * i, 3 * i + 3);
    else for (let c = 0; c < 3; c++) out[3 * i + c] = level(data[p + c]!);
  }
  return { width, height, data: out };
}
