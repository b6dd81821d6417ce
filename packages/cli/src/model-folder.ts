import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EnvisionError, type OnnxModelOptions, type TokenBatch, type Tensor, type VlmAdapter } from '@envision/core';
import { MedClipAdapter, TextEmbeddingCache, bundlePreprocessOptions, loadBundleTokenizer, preprocessImage, readManifest } from '@envision/adapter-medclip';
import { ClipAdapter, isClipFolder, preprocessFile, readClipFolder } from '@envision/adapter-clip';

/** The adapters a model folder given on the command line can be read with. */
export const FOLDER_ADAPTERS = ['medclip', 'clip'] as const;

/** A model folder and the adapter that reads it. */
export interface ModelFolder {
  readonly adapter: (typeof FOLDER_ADAPTERS)[number];
  readonly dir: string;
}

/**
 * The model folder of `--bundle DIR` (a MedCLIP bundle) or `--model DIR` (any adapter's folder): `--adapter ID` names
 * the adapter, else the folder decides — `envision.json` → `medclip`; `config.json` with a CLIP-family `model_type`,
 * or `open_clip_config.json` → `clip`.
 * @throws EnvisionError `E_USAGE` for both or neither flag, an unknown adapter, or a folder no adapter recognises
 */
export async function modelFolder(command: string, values: { bundle?: string; model?: string; adapter?: string }): Promise<ModelFolder> {
  if (values.bundle !== undefined && values.model !== undefined) throw new EnvisionError('E_USAGE', `give --model DIR or --bundle DIR, not both (see envision ${command} --help)`);
  const given = values.model ?? values.bundle;
  if (given === undefined) throw new EnvisionError('E_USAGE', `--model DIR is required (see envision ${command} --help)`);
  const dir = resolve(given);
  // A --bundle folder is checked by the MedCLIP bundle reader, with its own messages.
  if (values.model !== undefined && (!existsSync(dir) || !statSync(dir).isDirectory())) throw new EnvisionError('E_USAGE', `--model ${given}: no such folder`);
  if (values.adapter !== undefined) {
    if (!(FOLDER_ADAPTERS as readonly string[]).includes(values.adapter)) {
      throw new EnvisionError('E_USAGE', `--adapter must be ${FOLDER_ADAPTERS.join(' or ')}, got '${values.adapter}'`);
    }
    if (values.bundle !== undefined && values.adapter !== 'medclip') throw new EnvisionError('E_USAGE', `--bundle is a MedCLIP bundle; use --model DIR --adapter ${values.adapter}`);
    return { adapter: values.adapter as ModelFolder['adapter'], dir };
  }
  if (values.bundle !== undefined || existsSync(join(dir, 'envision.json'))) return { adapter: 'medclip', dir };
  if (await isClipFolder(dir)) return { adapter: 'clip', dir };
  throw new EnvisionError(
    'E_USAGE',
    `--model ${given}: no envision.json (a MedCLIP bundle), no config.json with a CLIP-family model_type (clip, siglip, chinese_clip) and no open_clip_config.json; name the adapter with --adapter`,
  );
}

/** Preprocesses an image as the folder's model does, loading no model → float32 `[1, C, H, W]`. */
export async function preprocessWith(folder: ModelFolder, image: string): Promise<Tensor<'float32'>> {
  if (folder.adapter === 'medclip') return preprocessImage(image, bundlePreprocessOptions(await readManifest(folder.dir)));
  return preprocessFile(image, (await readClipFolder(folder.dir)).processor);
}

/** Tokenises texts as one padded batch with the folder's tokenizer, loading no model. */
export async function tokenizeWith(folder: ModelFolder, texts: readonly string[]): Promise<TokenBatch> {
  if (folder.adapter === 'medclip') return (await loadBundleTokenizer(folder.dir)).encodeBatch(texts);
  return (await readClipFolder(folder.dir)).tokenizer.encodeBatch(texts);
}

/** Logit scale and bias given on the command line, for folders whose weights do not hold them. */
export interface LogitOptions {
  readonly logitScale?: number;
  readonly logitBias?: number;
}

/**
 * Loads the folder's model as a {@link VlmAdapter} for one command (a private text cache, the given threads and
 * execution providers).
 * @param logits - for a `clip` folder: the scale and bias when its weights lack them (MedCLIP bundles carry theirs)
 */
export async function loadFolderAdapter(folder: ModelFolder, threads: OnnxModelOptions, logits: LogitOptions = {}): Promise<VlmAdapter> {
  if (folder.adapter === 'medclip') return MedClipAdapter.load(folder.dir, { ...threads, textCache: new TextEmbeddingCache(1) });
  return ClipAdapter.load({ dir: folder.dir, ...threads, ...logits });
}
