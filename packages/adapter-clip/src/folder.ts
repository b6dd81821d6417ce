import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EnvisionError } from '@envision/core';
import { type ImageProcessorSpec, processorFromConfig, processorFromOpenClip } from './image-processor.js';
import { field, isPositiveInteger, readJsonObject } from './json-file.js';
import { HfTokenizer, type Padding } from './tokenizer.js';

/** The model types whose folders this adapter reads (`config.json` → `model_type`), and open_clip folders. */
export const MODEL_TYPES = ['clip', 'siglip', 'chinese_clip'] as const;

/** A CLIP-family model type, or `open_clip` for a folder with `open_clip_config.json`. */
export type ModelType = (typeof MODEL_TYPES)[number] | 'open_clip';

/** Everything a CLIP-family folder says without loading its models. */
export interface ClipFolder {
  readonly dir: string;
  readonly modelType: ModelType;
  /** The parsed `config.json` (or `open_clip_config.json`). */
  readonly config: Record<string, unknown>;
  readonly processor: ImageProcessorSpec;
  readonly tokenizer: HfTokenizer;
  /** `sigmoid` for SigLIP (and open_clip models with a logit bias), else `softmax`. */
  readonly scoring: 'softmax' | 'sigmoid';
  /** The weights file that may hold `logit_scale` / `logit_bias`, when the folder has one. */
  readonly weights?: string;
}

/** True when `dir` looks like a CLIP-family folder: `config.json` with a known `model_type`, or `open_clip_config.json`. */
export async function isClipFolder(dir: string): Promise<boolean> {
  if (existsSync(join(dir, 'open_clip_config.json'))) return true;
  if (!existsSync(join(dir, 'config.json'))) return false;
  try {
    return (MODEL_TYPES as readonly unknown[]).includes((await readJsonObject(join(dir, 'config.json')))['model_type']);
  } catch {
    return false;
  }
}

/** The token id of a special token named in `tokenizer_config.json` (a string or `{ content }`). */
function specialId(tokenizer: HfTokenizer, value: unknown): number | undefined {
  const text = typeof value === 'string' ? value : typeof value === 'object' && value !== null ? (value as { content?: unknown }).content : undefined;
  return typeof text === 'string' ? tokenizer.tokenizer.token_to_id(text) : undefined;
}

/**
 * Reads a CLIP-family folder in the transformers.js / Optimum layout (`config.json`, `preprocessor_config.json`,
 * `tokenizer.json`, `tokenizer_config.json`) or an open_clip folder (`open_clip_config.json` and HF tokenizer files),
 * without loading the ONNX models.
 *
 * @throws EnvisionError `E_BUNDLE`, one line naming the file and field: no config, an unknown `model_type`, no
 *   tokenizer, an image processor it does not reproduce, malformed values
 */
export async function readClipFolder(dir: string): Promise<ClipFolder> {
  const openClipFile = join(dir, 'open_clip_config.json');
  const configFile = join(dir, 'config.json');
  const openClip = !existsSync(configFile) && existsSync(openClipFile);
  if (!openClip && !existsSync(configFile)) {
    throw new EnvisionError('E_BUNDLE', `${dir}: not a CLIP-family model folder: no config.json (or open_clip_config.json)`);
  }
  const config = await readJsonObject(openClip ? openClipFile : configFile);
  let modelType: ModelType = 'open_clip';
  if (!openClip) {
    const type = config['model_type'];
    if (!(MODEL_TYPES as readonly unknown[]).includes(type)) {
      throw new EnvisionError('E_BUNDLE', `${configFile}: model_type ${JSON.stringify(type)} is not a model this adapter loads (${MODEL_TYPES.join(', ')})`);
    }
    modelType = type as ModelType;
  }
  const processor = openClip ? processorFromOpenClip(openClipFile, config) : processorFromConfig(join(dir, 'preprocessor_config.json'), await readJsonObject(join(dir, 'preprocessor_config.json')));

  const tokenizerFile = join(dir, 'tokenizer.json');
  if (!existsSync(tokenizerFile)) throw new EnvisionError('E_BUNDLE', `${tokenizerFile}: no such file (the folder needs the tokenizer.json of its text model)`);
  const tokenizerConfigFile = join(dir, 'tokenizer_config.json');
  const tokenizerConfig = existsSync(tokenizerConfigFile) ? await readJsonObject(tokenizerConfigFile) : {};
  const padding: Padding = modelType === 'siglip' || modelType === 'open_clip' ? 'max_length' : 'longest';
  const declared = tokenizerConfig['model_max_length'];
  const maxLength = openClip
    ? field(openClipFile, config, 'model_cfg.text_cfg.context_length', isPositiveInteger, 'a positive integer', 77)
    : isPositiveInteger(declared) && declared <= 1_000_000
      ? declared
      : field(configFile, config, 'text_config.max_position_embeddings', isPositiveInteger, 'a positive integer', 77);
  const tokenizerJson = await readJsonObject(tokenizerFile);
  const probe = HfTokenizer.fromJson(tokenizerJson, tokenizerConfig, { padding, maxLength, padId: 0 }, tokenizerFile);
  const padId = specialId(probe, tokenizerConfig['pad_token']) ?? (config['text_config'] as Record<string, unknown> | undefined)?.['pad_token_id'];
  if (!Number.isSafeInteger(padId)) {
    throw new EnvisionError('E_BUNDLE', `${tokenizerConfigFile}: pad_token is missing or not in the vocabulary, and ${configFile} has no text_config.pad_token_id`);
  }
  const tokenizer = new HfTokenizer(probe.tokenizer, { padding, maxLength, padId: padId as number });

  const hasBias = modelType === 'siglip' || (openClip && (config['model_cfg'] as Record<string, unknown> | undefined)?.['init_logit_bias'] !== undefined);
  const weights = [openClip ? 'open_clip_model.safetensors' : 'model.safetensors'].map((f) => join(dir, f)).find((f) => existsSync(f));
  return { dir, modelType, config, processor, tokenizer, scoring: hasBias ? 'sigmoid' : 'softmax', ...(weights ? { weights } : {}) };
}
