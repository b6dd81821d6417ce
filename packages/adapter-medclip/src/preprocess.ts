import { EnvisionError, type Tensor, tensor } from '@envision/core';
import { DEFAULT_LIMIT_INPUT_PIXELS, type DecodeOptions, type GreyImage, decodeGrey, type ResampleFilter, resampleFloat, resampleU8 } from '@envision/image';

/** What {@link preprocessImage} produces: the bundle's `image` section and `vision.channels`. */
export interface PreprocessOptions extends DecodeOptions {
  /** Side of the square model input. */
  readonly size: number;
  /** Normalisation mean on the [0, 1] scale. */
  readonly mean: number;
  /** Normalisation standard deviation on the [0, 1] scale. */
  readonly std: number;
  /**
   * Resize filter: `bicubic` is MedCLIPFeatureExtractor's, `bilinear` the one of MedCLIP's dataset classes.
   * @default 'bicubic'
   */
  readonly resample?: ResampleFilter;
  /**
   * Channels the grey image is repeated to.
   * @default 3
   */
  readonly channels?: number;
}

/** Greyscale pixel buffers the geometric steps work on: 8-bit or float. */
export type Pixels = Uint8Array | Float32Array;

/**
 * Pads to a square of side max(minSide, width, height) on black, the image pasted at
 * (floor((side − width) / 2), floor((side − height) / 2)) as MedCLIP's `pad_img` does with PIL.
 */
export function padToSquare<P extends Pixels>(data: P, width: number, height: number, minSide: number): { data: P; side: number } {
  const side = Math.max(minSide, width, height);
  const left = Math.floor((side - width) / 2);
  const top = Math.floor((side - height) / 2);
  const out = new (data.constructor as new (n: number) => P)(side * side);
  for (let y = 0; y < height; y++) out.set(data.subarray(y * width, (y + 1) * width), (top + y) * side + left);
  return { data: out, side };
}

/** The centred `size × size` window of a square image of side `side ≥ size` (PIL/transformers `center_crop`). */
export function centreCrop<P extends Pixels>(data: P, side: number, size: number): P {
  if (side === size) return data;
  const top = Math.floor((side - size) / 2);
  const left = Math.floor((side - size) / 2);
  const out = new (data.constructor as new (n: number) => P)(size * size);
  for (let y = 0; y < size; y++) out.set(data.subarray((top + y) * side + left, (top + y) * side + left + size), y * size);
  return out;
}

const F32_INV_255 = Math.fround(1 / 255);

/**
 * Grey levels 0–255 to [0, 1], in float32 as MedCLIP does it: the feature extractor (bicubic, transformers ≥ 4.22)
 * multiplies by float32(1/255), torchvision's `ToTensor` (the bilinear dataset path) divides by 255.
 */
export function rescale(levels: Uint8Array, resample: ResampleFilter): Float32Array {
  const out = new Float32Array(levels.length);
  if (resample === 'bicubic') for (let i = 0; i < out.length; i++) out[i] = levels[i]! * F32_INV_255;
  else for (let i = 0; i < out.length; i++) out[i] = levels[i]! / 255;
  return out;
}

/** `(v − mean) / std` in float32 arithmetic, repeated to `channels`: float32 `[1, channels, size, size]`. */
export function normalise(values: Float32Array, size: number, mean: number, std: number, channels: number): Tensor<'float32'> {
  const m = Math.fround(mean);
  const s = Math.fround(std);
  const plane = new Float32Array(values.length);
  for (let i = 0; i < plane.length; i++) plane[i] = Math.fround(values[i]! - m) / s;
  const out = new Float32Array(channels * plane.length);
  for (let c = 0; c < channels; c++) out.set(plane, c * plane.length);
  return tensor('float32', [1, channels, size, size], out);
}

/**
 * MedCLIP's `MedCLIPFeatureExtractor` on a decoded grey image: pad to a square on black (images smaller than
 * `size` are padded, never upscaled), resize to `size` with PIL's filter, centre crop, scale to [0, 1],
 * normalise, repeat to `channels`. 8-bit images follow PIL's 8-bit path bit for bit; 16-bit and DICOM images
 * (already in [0, 1]) follow PIL's float (`'F'`) path.
 */
export function preprocessGrey(image: GreyImage, options: PreprocessOptions): Tensor<'float32'> {
  const { size, mean, std, resample = 'bicubic', channels = 3 } = options;
  if (image.bitDepth === 8) {
    const { data, side } = padToSquare(image.data, image.width, image.height, size);
    const resized = resampleU8(data, side, side, size, size, resample);
    return normalise(rescale(centreCrop(resized, size, size), resample), size, mean, std, channels);
  }
  const { data, side } = padToSquare(image.data, image.width, image.height, size);
  const resized = resampleFloat(data, side, side, size, size, resample);
  return normalise(centreCrop(resized, size, size), size, mean, std, channels);
}

/**
 * Reads an image file and preprocesses it as MedCLIP does (see {@link preprocessGrey} and {@link decodeGrey}).
 *
 * @param file - PNG (8- or 16-bit), JPEG, or another format sharp decodes (grey, RGB or with alpha), or a DICOM
 *   Part-10 file with an uncompressed transfer syntax
 * @param options - the bundle's image settings and the pixel limit
 * @returns float32 `[1, channels, size, size]`
 * @throws EnvisionError `E_IMAGE` when the file is missing, not an image, corrupt, over the pixel limit, or a
 *   DICOM file with a compressed transfer syntax
 */
export async function preprocessImage(file: string, options: PreprocessOptions): Promise<Tensor<'float32'>> {
  const image = await decodeGrey(file, options);
  // The pixel limit holds for the padded square too: a 100000 × 1 image is small, its square is not.
  const side = Math.max(options.size, image.width, image.height);
  const limit = options.limitInputPixels ?? DEFAULT_LIMIT_INPUT_PIXELS;
  if (side * side > limit) {
    throw new EnvisionError('E_IMAGE', `cannot read image ${file}: it is ${image.width}×${image.height}, padded to a square ${side}×${side} = ${side * side} pixels, over the limit of ${limit} (option limitInputPixels)`);
  }
  return preprocessGrey(image, options);
}
