import { type Tensor, tensor } from '@envision/core';
import { decodeGrey, resampleFloat, resampleU8 } from '@envision/image';

/** How an image becomes the vision input. */
export interface PreprocessOptions {
  /** Side of the square model input, in pixels. */
  readonly size: number;
  /** Normalisation mean, on the [0, 1] scale. */
  readonly mean: number;
  /** Normalisation standard deviation, on the [0, 1] scale. */
  readonly std: number;
  /** Channels the grey image is repeated to. */
  readonly channels: number;
}

/**
 * Reads an image file (PNG, JPEG, 16-bit, DICOM) as one grey channel, resizes it to `size × size` (bicubic, as PIL
 * resizes; the aspect ratio is not kept), scales it to [0, 1], normalises it, (v − mean) / std, and repeats it to
 * `channels`: float32 `[1, channels, size, size]`. Replace it with your model's own preprocessing (crop, RGB).
 * @throws EnvisionError `E_IMAGE` for a file that is not a readable image
 */
export async function preprocessImage(file: string, options: PreprocessOptions): Promise<Tensor<'float32'>> {
  const { size, mean, std, channels } = options;
  const image = await decodeGrey(file);
  const plane =
    image.bitDepth === 8
      ? Float32Array.from(resampleU8(image.data, image.width, image.height, size, size, 'bicubic'), (v) => v / 255)
      : resampleFloat(image.data, image.width, image.height, size, size, 'bicubic');
  const out = new Float32Array(channels * size * size);
  for (let i = 0; i < plane.length; i++) out[i] = (plane[i]! - mean) / std;
  for (let c = 1; c < channels; c++) out.copyWithin(c * plane.length, 0, plane.length);
  return tensor('float32', [1, channels, size, size], out);
}
