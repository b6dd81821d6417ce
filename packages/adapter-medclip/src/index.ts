/**
 * MedCLIP adapter for Envision: bundles (`envision.json` + two ONNX encoders + vocabulary), MedCLIP's image
 * preprocessing (PIL-exact) and BERT WordPiece tokenizer, and the `medclip` adapter plugin.
 * @packageDocumentation
 */
import { ContainerModule } from 'inversify';
import { AdapterPlugin } from '@envision/core';
import { medclipAdapterPlugin } from './plugin.js';

export { medclipAdapterPlugin, type MedClipPluginOptions } from './plugin.js';
export { MedClipAdapter, type MedClipAdapterOptions } from './adapter.js';
export { loadBundle, checkSignatures, type Bundle, type LoadBundleOptions } from './bundle.js';
export { parseManifest, readManifest, manifestProblems, MANIFEST_FILE, type BundleManifest, type Resample } from './manifest.js';
export { manifestSchema, BUNDLE_FORMAT } from './manifest-schema.js';
export { preprocessImage, preprocessGrey, padToSquare, centreCrop, rescale, normalise, type PreprocessOptions, type Pixels } from './preprocess.js';
export { decodeGrey, DEFAULT_LIMIT_INPUT_PIXELS, type GreyImage, type DecodeOptions } from './decode-image.js';
export { resampleU8, resampleFloat, taps, type ResampleFilter, type Taps } from './resample.js';
export {
  WordPieceTokenizer,
  basicTokenize,
  wordPiece,
  parseVocab,
  isPunctuation,
  isCjk,
  SPECIAL_TOKENS,
  MAX_CHARS_PER_WORD,
  type TokenizerOptions,
} from './tokenizer.js';
export { TextEmbeddingCache, sharedTextCache } from './text-cache.js';

/** Binds the `medclip` adapter plugin; the package's plugin entry point. */
const medclipModule: ContainerModule = new ContainerModule(({ bind }) => {
  bind(AdapterPlugin).toConstantValue(medclipAdapterPlugin);
});
export default medclipModule;
