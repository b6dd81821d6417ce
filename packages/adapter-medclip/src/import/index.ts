import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { EnvisionError, describeCause } from '@envision/core';
import { type BundleManifest, MANIFEST_FILE, parseManifest } from '../manifest.js';
import { BUNDLE_FORMAT } from '../manifest-schema.js';
import { parseVocab } from '../tokenizer.js';
import { buildBertText, type StateDict, readCheckpoint, Weights, writeFolderAtomic } from '@envision/import';
import { buildResNetVision } from './resnet.js';
import { buildSwinVision } from './swin.js';
import { type ModelProto, encodeModelChunks } from '@envision/onnx-grad';

export { readCheckpoint, readTorchCheckpoint, unpickle, openZip, type StateDict, type StateDictTensor } from '@envision/import';
export { buildBertText, type BertTextOptions } from '@envision/import';
export { buildResNetVision, type ResNetVisionOptions } from './resnet.js';
export { Weights } from '@envision/import';

/** MedCLIP's image constants (`medclip/constants.py`). */
export const MEDCLIP_IMAGE = { size: 224, mean: 0.5862785803043838, std: 0.27950088968644304 } as const;

/** The MedCLIP vision variants: Swin (`MedCLIPVisionModelViT`) or ResNet-50 (`MedCLIPVisionModel`). */
export type MedClipVariant = 'vit' | 'resnet';

/** Options of {@link importMedClip}. */
export interface ImportMedClipOptions {
  /** The checkpoint: `pytorch_model.bin` (a torch ≥ 1.6 zip) or the downloaded zip holding it. */
  readonly checkpoint: string;
  /** The WordPiece vocabulary (`vocab.txt` of Bio_ClinicalBERT), copied into the bundle. */
  readonly vocab: string;
  /** The bundle folder to create; it must not exist. */
  readonly out: string;
  /** The vision variant. @default detected from the keys */
  readonly variant?: MedClipVariant;
  /** BERT attention heads. @default hidden / 64 */
  readonly textHeads?: number;
  /** The manifest's `tokenizer.lowercase`. @default false */
  readonly lowercase?: boolean;
}

/** What {@link importMedClip} wrote. */
export interface ImportMedClipResult {
  /** The bundle folder (absolute). */
  readonly out: string;
  /** The manifest written. */
  readonly manifest: BundleManifest;
  /** Tensors in the checkpoint. */
  readonly tensors: number;
  /** Sizes of the files written, in bytes. */
  readonly bytes: { readonly vision: number; readonly text: number };
}

/**
 * The variant a MedCLIP state dict holds, from its keys.
 * @param sd - the state dict
 * @returns `resnet` (torchvision keys), `vit` (HF Swin keys), or undefined
 */
export function detectVariant(sd: StateDict): MedClipVariant | undefined {
  if (sd.has('vision_model.model.conv1.weight')) return 'resnet';
  if (sd.has('vision_model.model.embeddings.patch_embeddings.projection.weight')) return 'vit';
  return undefined;
}

/** Builds both graphs and the manifest from a state dict, in memory. */
export function buildMedClip(sd: StateDict, options: { variant?: MedClipVariant; textHeads?: number; lowercase?: boolean; source: string }): {
  manifest: BundleManifest;
  vision: ModelProto;
  text: ModelProto;
} {
  const w = new Weights(sd, options.source);
  const detected = detectVariant(sd);
  const variant = options.variant ?? detected;
  if (detected !== undefined && variant !== detected) {
    throw new EnvisionError('E_BUNDLE', `${options.source}: variant '${variant}' was asked for, but the keys are MedCLIP's '${detected}' variant; pass variant '${detected}' or leave it out to detect it`);
  }
  if (variant === undefined) {
    throw new EnvisionError('E_BUNDLE', `${options.source}: cannot tell the variant: neither 'vision_model.model.conv1.weight' (resnet) nor 'vision_model.model.embeddings.patch_embeddings.projection.weight' (vit) is present`);
  }
  const text = buildBertText(w, options.textHeads === undefined ? {} : { heads: options.textHeads });
  let vision: ModelProto;
  if (variant === 'resnet') {
    vision = buildResNetVision(w, { imageSize: MEDCLIP_IMAGE.size });
    w.checkAllUsed(['vision_model.']);
  } else {
    const prefix = 'vision_model.model.';
    const projection = 'vision_model.projection_head.weight';
    vision = buildSwinVision(sd, { prefix, projection, imageSize: MEDCLIP_IMAGE.size });
    // The Swin builder has read (and checked) every key under its prefix; any other vision_model.* key is unexpected.
    w.ignore(projection, ...[...sd.keys()].filter((k) => k.startsWith(prefix)));
  }
  const scale = w.float('logit_scale', []).data[0]!;
  w.checkAllUsed(['']);
  const M = (g: ModelProto) => g.graph!.output[0]!.type!.tensor_type!.shape!.dim[1]!.dim_value!;
  if (M(vision) !== M(text)) throw new EnvisionError('E_BUNDLE', `${options.source}: the vision projection gives ${M(vision)} dimensions, the text projection ${M(text)}`);
  const manifest = {
    format: BUNDLE_FORMAT,
    adapter: 'medclip',
    variant,
    vision: { file: 'vision.onnx', input: 'pixel_values', output: 'image_embeds', channels: 3 },
    text: { file: 'text.onnx', inputs: { ids: 'input_ids', mask: 'attention_mask' }, output: 'text_embeds' },
    tokenizer: { vocab: 'vocab.txt', lowercase: options.lowercase ?? false, maxLength: 77 },
    image: { size: MEDCLIP_IMAGE.size, mean: MEDCLIP_IMAGE.mean, std: MEDCLIP_IMAGE.std, resample: 'bicubic' },
    logitScale: scale,
    embeddingDim: M(text),
  };
  return { manifest: parseManifest(JSON.stringify(manifest), `${options.source} (manifest)`), vision, text };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Imports an official MedCLIP checkpoint (or a reduced one with the same key names) into an Envision bundle,
 * without Python: reads the torch zip with a restricted unpickler, builds the text (BERT + MedCLIP pooling) and
 * vision (Swin or ResNet) encoders as ONNX from the weights, and writes `envision.json`, `vision.onnx`, `text.onnx`
 * and `vocab.txt`. The folder is written beside `out` under a temporary name and renamed at the end: on failure
 * nothing is left.
 * @param options - checkpoint, vocabulary, output folder, variant, text heads
 * @returns what was written
 * @throws EnvisionError `E_FILE` for an unreadable, truncated or corrupt file or an existing `out`, `E_BUNDLE` for a
 *   checkpoint that is not a MedCLIP state dict (the message names the key or global at fault)
 */
export async function importMedClip(options: ImportMedClipOptions): Promise<ImportMedClipResult> {
  const out = resolve(options.out);
  if (await exists(out)) throw new EnvisionError('E_FILE', `${options.out} already exists; choose a new folder for the bundle`);
  let vocabBytes: Buffer;
  try {
    vocabBytes = await readFile(options.vocab);
  } catch (e) {
    throw new EnvisionError('E_FILE', `cannot read ${options.vocab}: ${describeCause(e)}`, e);
  }
  const vocab = parseVocab(vocabBytes.toString('utf8'));
  checkBertVocab(options.vocab, vocab);
  const sd = await readCheckpoint(options.checkpoint);
  const rows = sd.get('text_model.model.embeddings.word_embeddings.weight')?.shape[0];
  if (rows !== undefined && vocab.length > rows) {
    throw new EnvisionError('E_BUNDLE', `${options.vocab} has ${vocab.length} tokens but the checkpoint's word embeddings have ${rows} rows: wrong vocabulary`);
  }
  const built = buildMedClip(sd, {
    source: options.checkpoint,
    ...(options.variant === undefined ? {} : { variant: options.variant }),
    ...(options.textHeads === undefined ? {} : { textHeads: options.textHeads }),
    ...(options.lowercase === undefined ? {} : { lowercase: options.lowercase }),
  });
  const vision = encodeModelChunks(built.vision);
  const text = encodeModelChunks(built.text);
  await writeFolderAtomic(options.out, { 'vision.onnx': vision, 'text.onnx': text, 'vocab.txt': vocabBytes, [MANIFEST_FILE]: `${JSON.stringify(built.manifest, null, 1)}\n` });
  const size = (chunks: readonly Uint8Array[]): number => chunks.reduce((n, c) => n + c.byteLength, 0);
  return { out, manifest: built.manifest, tensors: sd.size, bytes: { vision: size(vision), text: size(text) } };
}

/** The special tokens MedCLIP's BERT tokenisation needs in its vocabulary. */
const BERT_SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'] as const;

/**
 * Checks that a vocabulary is a BERT WordPiece one: non-empty tokens without white space, the special tokens present.
 * @throws EnvisionError `E_BUNDLE` naming the file and the first problem (an empty file, `/etc/passwd`, …)
 */
export function checkBertVocab(file: string, vocab: readonly string[]): void {
  const missing = BERT_SPECIALS.filter((t) => !vocab.includes(t));
  if (missing.length > 0) throw new EnvisionError('E_BUNDLE', `${file} is not a BERT vocabulary (one WordPiece token per line): it has no ${missing.join(', ')}`);
  for (const [k, token] of vocab.entries()) {
    if (token === '' || /\s/u.test(token)) throw new EnvisionError('E_BUNDLE', `${file}: line ${k + 1} is not a WordPiece token (empty or with white space): not a BERT vocabulary`);
  }
}
