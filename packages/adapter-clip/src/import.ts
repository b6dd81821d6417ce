import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { EnvisionError, type Tensor, describeCause } from '@envision/core';
import {
  Weights,
  buildClipText,
  buildClipVision,
  buildSiglipText,
  buildSiglipVision,
  encodeSafetensors,
  readCheckpoint,
  LazySafetensors,
  writeFolderAtomic,
  type FileContents,
} from '@envision/import';
import { encodeModelChunks, type ModelProto } from '@envision/onnx-grad';
import { readJsonObject } from './json-file.js';
import { openClipTowers } from './import-open-clip.js';

/** The checkpoint layouts the importer builds: HF CLIP, HF SigLIP and open_clip's BiomedCLIP shape. */
export type ClipVariant = 'clip' | 'siglip' | 'open_clip';

/** Options of {@link importClip}. */
export interface ImportClipOptions {
  /**
   * A HF folder (`config.json`, `model.safetensors` else `pytorch_model.bin`, tokenizer files) or an open_clip folder
   * (`open_clip_config.json`, `open_clip_model.safetensors` else `open_clip_pytorch_model.bin`, HF tokenizer files).
   */
  readonly source: string;
  /** The folder to write; it must not exist. */
  readonly out: string;
  /** The layout. @default `config.json`'s `model_type`, or `open_clip` for a folder with `open_clip_config.json` */
  readonly variant?: ClipVariant;
}

/** What {@link importClip} wrote. */
export interface ImportClipResult {
  readonly out: string;
  readonly variant: ClipVariant;
  readonly tensors: number;
  readonly embeddingDim: number;
  readonly logitScale: number;
  readonly logitBias?: number;
  readonly bytes: { readonly vision: number; readonly text: number };
}

/** Files copied from the source when present (`tokenizer.json` is required). */
const COPIED = ['preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt'] as const;

const byteLength = (chunks: readonly Uint8Array[]): number => chunks.reduce((n, c) => n + c.byteLength, 0);

const width = (m: ModelProto): number | undefined => m.graph!.output[0]!.type?.tensor_type?.shape?.dim[1]?.dim_value;

/** The source's layout: its config file, the variant it declares, and its weight and config file names. */
async function layoutOf(source: string): Promise<{ variant: ClipVariant; configFile: string; config: Record<string, unknown>; weights: readonly string[]; required: readonly string[] }> {
  const hfConfig = join(source, 'config.json');
  const openClipConfig = join(source, 'open_clip_config.json');
  if (!existsSync(hfConfig) && existsSync(openClipConfig)) {
    return { variant: 'open_clip', configFile: openClipConfig, config: await readJsonObject(openClipConfig), weights: ['open_clip_model.safetensors', 'open_clip_pytorch_model.bin'], required: ['tokenizer.json'] };
  }
  const config = await readJsonObject(hfConfig);
  const type = config['model_type'];
  if (type !== 'clip' && type !== 'siglip') throw new EnvisionError('E_BUNDLE', `${hfConfig}: model_type ${JSON.stringify(type)} is not one the importer builds (clip, siglip)`);
  return { variant: type, configFile: hfConfig, config, weights: ['model.safetensors', 'pytorch_model.bin'], required: ['preprocessor_config.json', 'tokenizer.json'] };
}

/**
 * Imports a HuggingFace CLIP or SigLIP checkpoint, or an open_clip BiomedCLIP-shaped one, into the folder layout the
 * `clip` adapter reads, without Python: both encoders are built as ONNX from the weights (every size from the weights
 * and the config), the configuration and tokenizer files are copied, and `logit_scale` (and `logit_bias` when the
 * checkpoint has one) are kept in a small safetensors file named as the source's (`model.safetensors` or
 * `open_clip_model.safetensors`). The folder is written whole or not at all.
 * @throws EnvisionError `E_BUNDLE` naming the file and key for a missing, misshapen or unexpected weight, an unknown
 *   `model_type` or tower, or missing tokenizer files; `E_FILE` when the folder exists or cannot be written
 */
export async function importClip(options: ImportClipOptions): Promise<ImportClipResult> {
  const { source } = options;
  const layout = await layoutOf(source);
  const { configFile, config } = layout;
  const variant = options.variant ?? layout.variant;
  if (variant !== layout.variant) throw new EnvisionError('E_BUNDLE', `${configFile}: variant '${variant}' was asked for, but the folder is ${layout.variant === 'open_clip' ? 'an open_clip one' : `model_type '${layout.variant}'`}`);
  for (const f of layout.required) if (!existsSync(join(source, f))) throw new EnvisionError('E_BUNDLE', `${join(source, f)}: no such file (the imported folder needs it)`);

  const weightsFile = layout.weights.map((f) => join(source, f)).find((f) => existsSync(f));
  if (weightsFile === undefined) throw new EnvisionError('E_BUNDLE', `${source}: no weights (${layout.weights.join(' or ')})`);
  // safetensors are read tensor by tensor as the towers are built; a torch checkpoint is read whole.
  const sd = weightsFile.endsWith('.safetensors') ? await LazySafetensors.open(weightsFile) : await readCheckpoint(weightsFile);
  const w = new Weights(sd, weightsFile);
  const sub = (key: string) => config[key] as Record<string, unknown> | undefined;
  const eos = sub('text_config')?.['eos_token_id'];
  if (variant === 'clip' && !Number.isInteger(eos)) throw new EnvisionError('E_BUNDLE', `${configFile}: text_config.eos_token_id must be an integer (the text embedding is read at the first EOS)`);
  const logits = new Map<string, Tensor<'float32'>>([['logit_scale', w.float('logit_scale')]]);
  if (variant === 'siglip' || (variant === 'open_clip' && w.has('logit_bias'))) logits.set('logit_bias', w.float('logit_bias'));
  for (const [name, t] of logits) if (t.data.length !== 1) throw new EnvisionError('E_BUNDLE', `${weightsFile}: '${name}' must hold one number, got ${t.data.length}`);
  const towers =
    variant === 'open_clip'
      ? openClipTowers(configFile, config, w)
      : variant === 'clip'
        ? { vision: () => buildClipVision(w, sub('vision_config'), configFile), text: () => buildClipText(w, sub('text_config'), eos as number, configFile) }
        : { vision: () => buildSiglipVision(w, sub('vision_config'), configFile), text: () => buildSiglipText(w, sub('text_config'), configFile) };
  const bytes = { vision: 0, text: 0 };
  let visionWidth: number | undefined;
  // Each tower is built and encoded when its file is written, so only one is in memory at a time, and its weights are
  // written from the tensors themselves (encodeModelChunks), never copied into one file-sized buffer.
  const visionFile = (): Uint8Array[] => {
    const vision = towers.vision();
    visionWidth = width(vision);
    const encoded = encodeModelChunks(vision);
    bytes.vision = byteLength(encoded);
    return encoded;
  };
  const textFile = (): Uint8Array[] => {
    const text = towers.text();
    w.checkAllUsed(['']);
    if (visionWidth !== width(text)) throw new EnvisionError('E_BUNDLE', `${weightsFile}: the vision tower gives ${visionWidth} dimensions, the text tower ${width(text)}`);
    const encoded = encodeModelChunks(text);
    bytes.text = byteLength(encoded);
    return encoded;
  };
  const files: Record<string, FileContents | (() => FileContents)> = {
    [basename(configFile)]: await readFile(configFile),
    [variant === 'open_clip' ? 'open_clip_model.safetensors' : 'model.safetensors']: encodeSafetensors(logits, { format: 'pt', source: 'envision import clip' }),
  };
  for (const f of COPIED) {
    if (!existsSync(join(source, f))) continue;
    try {
      files[f] = await readFile(join(source, f));
    } catch (e) {
      throw new EnvisionError('E_FILE', `cannot read ${join(source, f)}: ${describeCause(e)}`, e);
    }
  }
  files['onnx/vision_model.onnx'] = visionFile;
  files['onnx/text_model.onnx'] = textFile;
  let out: string;
  try {
    out = await writeFolderAtomic(options.out, files);
  } finally {
    if (sd instanceof LazySafetensors) sd.close();
  }
  const scale = logits.get('logit_scale')!.data[0]!;
  const bias = logits.get('logit_bias')?.data[0];
  return {
    out,
    variant,
    tensors: sd.size,
    embeddingDim: visionWidth!,
    logitScale: scale,
    ...(bias === undefined ? {} : { logitBias: bias }),
    bytes,
  };
}
