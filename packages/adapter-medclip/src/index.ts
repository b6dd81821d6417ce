/**
 * MedCLIP adapter for Envision: bundles (`envision.json` + two ONNX encoders + vocabulary), MedCLIP's image
 * preprocessing (PIL-exact; DICOM read with dcmjs), BERT WordPiece tokenizer, prompt sets and zero-shot prompt
 * classifier, and the `medclip` adapter plugin.
 * @packageDocumentation
 */
import { definePlugins } from '@envision/core';
import { medclipAdapterPlugin } from './plugin.js';

export { medclipAdapterPlugin, type MedClipPluginOptions } from './plugin.js';
export { MedClipAdapter, type MedClipAdapterOptions } from './adapter.js';
export { loadBundle, checkSignatures, type Bundle, type LoadBundleOptions, type Signature } from './bundle.js';
export { loadBundleTokenizer, bundlePreprocessOptions } from './bundle-parts.js';
export { parseManifest, readManifest, manifestProblems, MANIFEST_FILE, type BundleManifest, type Resample } from './manifest.js';
export { manifestSchema, BUNDLE_FORMAT } from './manifest-schema.js';
export { preprocessImage, preprocessGrey, padToSquare, centreCrop, rescale, normalise, type PreprocessOptions, type Pixels } from './preprocess.js';
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
export { PromptClassifier, MAX_LOGIT_SCALE, clampLogitScale, type ClassifierModel, type PromptClassifierOptions } from './classifier.js';
// The arithmetic of zero-shot classification is core's; re-exported under the names this package always had.
export { l2NormaliseRows, reducePromptLogits, softmax, type Ensemble, type ClassScore, type Classification } from '@envision/core';
export * from './prompts/index.js';

/** The package's plugins, in the plain-object form: its default export, the plugin entry point. */
const medclipPlugins = definePlugins({ adapters: [medclipAdapterPlugin] });
export default medclipPlugins;
export {
  importMedClip,
  buildMedClip,
  detectVariant,
  MEDCLIP_IMAGE,
  type ImportMedClipOptions,
  type ImportMedClipResult,
  type MedClipVariant,
} from './import/index.js';
export { readCheckpoint, readTorchCheckpoint, type StateDict, type StateDictTensor } from '@envision/import';
