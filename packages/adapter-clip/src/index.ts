/**
 * The CLIP-family adapter for Envision: CLIP, SigLIP, Chinese-CLIP and open_clip models (BiomedCLIP) exported to ONNX
 * in the transformers.js / Optimum layout, with their image processors reproduced exactly (PIL resampling,
 * transformers' arithmetic), their `tokenizer.json` run by `@huggingface/tokenizers` with Python HF's padding and
 * truncation, the logit scale and bias read from the folder's safetensors weights, and the `clip` adapter plugin.
 * @packageDocumentation
 */
import { definePlugins } from '@envision/core';
import { clipAdapterPlugin } from './plugin.js';

export { clipAdapterPlugin } from './plugin.js';
export { ClipAdapter, type ClipAdapterOptions } from './adapter.js';
export { readClipFolder, isClipFolder, MODEL_TYPES, type ClipFolder, type ModelType } from './folder.js';
export {
  processorFromConfig,
  processorFromOpenClip,
  processRgb,
  preprocessFile,
  OPENAI_MEAN,
  OPENAI_STD,
  type ImageProcessorSpec,
} from './image-processor.js';
export { importClip, type ImportClipOptions, type ImportClipResult, type ClipVariant } from './import.js';
export { HfTokenizer, type HfTokenizerOptions, type Padding } from './tokenizer.js';

/** The package's plugins, in the plain-object form: its default export, the plugin entry point. */
const clipPlugins = definePlugins({ adapters: [clipAdapterPlugin] });
export default clipPlugins;
