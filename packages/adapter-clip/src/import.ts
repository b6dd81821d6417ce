import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
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
} from '@envision/import';
import { encodeModel, type ModelProto } from '@envision/onnx-grad';
import { readJsonObject } from './json-file.js';

/** The checkpoint layouts the importer builds: HF CLIP and HF SigLIP. */
export type ClipVariant = 'clip' | 'siglip';

/** Options of {@link importClip}. */
export interface ImportClipOptions {
  /** A folder with `config.json`, the weights (`model.safetensors`, else `pytorch_model.bin`) and the tokenizer files. */
  readonly source: string;
  /** The folder to write; it must not exist. */
  readonly out: string;
  /** The layout. @default `config.json`'s `model_type` */
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

/** Files copied from the source when present (the first two are required). */
const COPIED = ['preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'] as const;

const width = (m: ModelProto): number | undefined => m.graph!.output[0]!.type?.tensor_type?.shape?.dim[1]?.dim_value;

/**
 * Imports a HuggingFace CLIP or SigLIP checkpoint into the folder layout the `clip` adapter reads, without Python:
 * both encoders are built as ONNX from the weights (every size from the weights and `config.json`), the configuration
 * and tokenizer files are copied, and `logit_scale` (and SigLIP's `logit_bias`) are kept in a small `model.safetensors`.
 * The folder is written whole or not at all.
 * @throws EnvisionError `E_BUNDLE` naming the file and key for a missing, misshapen or unexpected weight, an unknown
 *   `model_type`, or missing tokenizer files; `E_FILE` when the folder exists or cannot be written
 */
export async function importClip(options: ImportClipOptions): Promise<ImportClipResult> {
  const { source } = options;
  if (existsSync(join(source, 'open_clip_config.json')) && !existsSync(join(source, 'config.json'))) {
    throw new EnvisionError('E_BUNDLE', `${source}: open_clip folders (BiomedCLIP) are not imported yet; only HF CLIP and SigLIP checkpoints (config.json)`);
  }
  const configFile = join(source, 'config.json');
  const config = await readJsonObject(configFile);
  const type = config['model_type'];
  if (type !== 'clip' && type !== 'siglip') throw new EnvisionError('E_BUNDLE', `${configFile}: model_type ${JSON.stringify(type)} is not one the importer builds (clip, siglip)`);
  const variant = options.variant ?? type;
  if (variant !== type) throw new EnvisionError('E_BUNDLE', `${configFile}: variant '${variant}' was asked for, but model_type is '${type}'`);
  for (const f of COPIED.slice(0, 2)) if (!existsSync(join(source, f))) throw new EnvisionError('E_BUNDLE', `${join(source, f)}: no such file (the imported folder needs it)`);

  const safetensors = join(source, 'model.safetensors');
  const bin = join(source, 'pytorch_model.bin');
  const weightsFile = existsSync(safetensors) ? safetensors : existsSync(bin) ? bin : undefined;
  if (weightsFile === undefined) throw new EnvisionError('E_BUNDLE', `${source}: no weights (model.safetensors or pytorch_model.bin)`);
  // safetensors are read tensor by tensor as the towers are built; a torch checkpoint is read whole.
  const sd = weightsFile === safetensors ? await LazySafetensors.open(weightsFile) : await readCheckpoint(weightsFile);
  const w = new Weights(sd, weightsFile);
  const sub = (key: string) => config[key] as Record<string, unknown> | undefined;
  const eos = sub('text_config')?.['eos_token_id'];
  if (variant === 'clip' && !Number.isInteger(eos)) throw new EnvisionError('E_BUNDLE', `${configFile}: text_config.eos_token_id must be an integer (the text embedding is read at the first EOS)`);
  const logits = new Map<string, Tensor<'float32'>>([['logit_scale', w.float('logit_scale')]]);
  if (variant === 'siglip') logits.set('logit_bias', w.float('logit_bias'));
  for (const [name, t] of logits) if (t.data.length !== 1) throw new EnvisionError('E_BUNDLE', `${weightsFile}: '${name}' must hold one number, got ${t.data.length}`);
  const bytes = { vision: 0, text: 0 };
  let visionWidth: number | undefined;
  // Each tower is built and encoded when its file is written, so only one is in memory at a time.
  const visionFile = (): Uint8Array => {
    const vision = variant === 'clip' ? buildClipVision(w, sub('vision_config'), configFile) : buildSiglipVision(w, sub('vision_config'), configFile);
    visionWidth = width(vision);
    const encoded = encodeModel(vision);
    bytes.vision = encoded.byteLength;
    return encoded;
  };
  const textFile = (): Uint8Array => {
    const text = variant === 'clip' ? buildClipText(w, sub('text_config'), eos as number, configFile) : buildSiglipText(w, sub('text_config'), configFile);
    w.checkAllUsed(['']);
    if (visionWidth !== width(text)) throw new EnvisionError('E_BUNDLE', `${weightsFile}: the vision tower gives ${visionWidth} dimensions, the text tower ${width(text)}`);
    const encoded = encodeModel(text);
    bytes.text = encoded.byteLength;
    return encoded;
  };
  const files: Record<string, Uint8Array | string | (() => Uint8Array)> = {
    'config.json': await readFile(configFile),
    'model.safetensors': encodeSafetensors(logits, { format: 'pt', source: 'envision import clip' }),
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
