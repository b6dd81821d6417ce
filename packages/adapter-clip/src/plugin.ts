import { resolve } from 'node:path';
import type { AdapterPlugin } from '@envision/core';
import { DEFAULT_LIMIT_INPUT_PIXELS } from '@envision/image';
import { ClipAdapter, type ClipAdapterOptions } from './adapter.js';

const name = (description: string) => ({ type: 'string', minLength: 1, description }) as const;

/** The `clip` adapter plugin: loads a {@link ClipAdapter} from a CLIP-family model folder. */
export const clipAdapterPlugin: AdapterPlugin<ClipAdapterOptions> = {
  meta: {
    id: 'clip',
    description: 'CLIP-family dual encoders (CLIP, SigLIP, Chinese-CLIP, open_clip models) exported to ONNX in the transformers.js layout',
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        dir: name('the model folder (config.json, preprocessor_config.json, tokenizer.json, onnx/), relative to the experiment file'),
        vision: name("the vision encoder's ONNX file, relative to dir (default onnx/vision_model.onnx)"),
        text: name("the text encoder's ONNX file, relative to dir (default onnx/text_model.onnx)"),
        logitScale: { type: 'number', description: "log temperature, when the folder's model.safetensors has no logit_scale (overrides it otherwise)" },
        logitBias: { type: 'number', description: "logit bias (SigLIP), when model.safetensors has no logit_bias (overrides it otherwise)" },
        scoring: { enum: ['softmax', 'sigmoid'], description: 'how logits become probabilities (default: sigmoid for SigLIP, softmax otherwise)' },
        visionInput: name("the vision model's pixel input (default pixel_values)"),
        visionOutput: name("the vision model's embedding output (default image_embeds, else pooler_output)"),
        textInput: name("the text model's token-id input (default input_ids)"),
        textOutput: name("the text model's embedding output (default text_embeds, else pooler_output)"),
        limitInputPixels: { type: 'integer', minimum: 1, default: DEFAULT_LIMIT_INPUT_PIXELS, description: 'largest image accepted, in pixels (width × height)' },
      },
      required: ['dir'],
    },
  },
  load: (options, { baseDir, executionProviders }) => ClipAdapter.load({ ...options, dir: resolve(baseDir, options.dir), ...(executionProviders === undefined ? {} : { executionProviders }) }),
};
