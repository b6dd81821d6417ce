import { join } from 'node:path';
import sharp from 'sharp';
import { SeededRandom } from '@envision/onnx-grad';

/** Side of the image {@link writeCheckImage} writes. */
export const CHECK_IMAGE_SIZE = 256;

/**
 * The RGB bytes of the check image, row by row: a red ramp left to right, a green ramp top to bottom, a blue disc in
 * the middle, and seeded noise of ±24 levels on every value. Larger than common model inputs (224), so that no
 * adapter pads it (MedCLIP pads small images on black, never upscales); noisy, so that no region is constant — a
 * constant region puts max-pool windows on ties, where a model is not differentiable and no gradient check can pass.
 */
export function checkImageData(): Uint8Array {
  const n = CHECK_IMAGE_SIZE;
  const c = n / 2;
  const random = new SeededRandom(20);
  const rgb = new Uint8Array(n * n * 3);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const base = [x, y, (x - c) ** 2 + (y - c) ** 2 < (c / 2) ** 2 ? 220 : 40];
      base.forEach((v, i) => (rgb[(y * n + x) * 3 + i] = Math.min(255, Math.max(0, Math.round(v + 48 * (random.uniform() - 0.5))))));
    }
  }
  return rgb;
}

/**
 * Writes the check image ({@link checkImageData}, 256×256 RGB) as `dir/check.png`, for adapters checked without an
 * image of their own.
 * @returns the file written
 */
export async function writeCheckImage(dir: string): Promise<string> {
  const n = CHECK_IMAGE_SIZE;
  const file = join(dir, 'check.png');
  await sharp(checkImageData(), { raw: { width: n, height: n, channels: 3 } }).png().toFile(file);
  return file;
}
