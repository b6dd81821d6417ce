import { join } from 'node:path';
import sharp from 'sharp';

/** Side of the image {@link writeCheckImage} writes. */
export const CHECK_IMAGE_SIZE = 32;

/**
 * The RGB values of the check image at (x, y): a red ramp left to right, a green ramp top to bottom and a blue disc in
 * the middle, so that every preprocessing step (resize, crop, grey conversion, normalisation) has structure to act on.
 */
export function checkImagePixel(x: number, y: number): [number, number, number] {
  const c = CHECK_IMAGE_SIZE / 2;
  return [x * 8, y * 8, (x - c) ** 2 + (y - c) ** 2 < (c / 2) ** 2 ? 255 : 40];
}

/**
 * Writes a small deterministic PNG (32×32 RGB, see {@link checkImagePixel}) to `dir/check.png`, for adapters checked
 * without an image of their own.
 * @returns the file written
 */
export async function writeCheckImage(dir: string): Promise<string> {
  const n = CHECK_IMAGE_SIZE;
  const rgb = new Uint8Array(n * n * 3);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) rgb.set(checkImagePixel(x, y), (y * n + x) * 3);
  const file = join(dir, 'check.png');
  await sharp(rgb, { raw: { width: n, height: n, channels: 3 } }).png().toFile(file);
  return file;
}
