/**
 * Images for vision–language models: decoding (PNG, JPEG, 16-bit, alpha, DICOM) as PIL decodes and converts them,
 * PIL-exact resampling, and the steps CLIP-family image processors take — resize to a shortest edge, center crop,
 * squash resize, rescale and per-channel normalisation — with transformers' arithmetic.
 * @packageDocumentation
 */
export { decodeGrey, readPixels, DEFAULT_LIMIT_INPUT_PIXELS, type GreyImage, type DecodeOptions, type StoredPixels } from './decode-image.js';
export { decodeRgb, toRgb, type RgbImage } from './decode-rgb.js';
export {
  decodeDicomBytes,
  isDicom,
  readTransferSyntax,
  truncation,
  applyWindow,
  SUPPORTED_TRANSFER_SYNTAXES,
  ENCAPSULATED_TRANSFER_SYNTAXES,
  type DicomImage,
  type DicomInfo,
  type DicomDecodeOptions,
  type VoiFunction,
} from './decode-dicom.js';
export { resampleU8, resampleFloat, taps, type ResampleFilter, type Taps } from './resample.js';
export { shortestEdgeSize, resizeRgb, centerCropRgb, cropOffset, normalizeRgb, type Size, type Normalization } from './processor.js';
