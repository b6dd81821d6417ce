import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { EnvisionError, describeCause } from '@envision/core';
import { DEFAULT_LIMIT_INPUT_PIXELS } from '@envision/image';
import { type BundleManifest, MANIFEST_FILE, readManifest } from './manifest.js';
import type { PreprocessOptions } from './preprocess.js';
import { WordPieceTokenizer, parseVocab } from './tokenizer.js';

/**
 * The preprocessing a bundle prescribes: its `image` section, `vision.channels`, and the pixel limit.
 * @param manifest - a validated manifest
 * @param limitInputPixels - largest image accepted, in pixels
 */
export function bundlePreprocessOptions(manifest: BundleManifest, limitInputPixels = DEFAULT_LIMIT_INPUT_PIXELS): PreprocessOptions {
  return { ...manifest.image, channels: manifest.vision.channels, limitInputPixels };
}

/**
 * A bundle's tokenizer alone, without loading its models: reads and validates `envision.json`, then the
 * vocabulary it names (which must lie inside the bundle folder).
 * @param dir - the bundle folder
 * @throws EnvisionError `E_BUNDLE` for a malformed bundle, `E_FILE` for an unreadable vocabulary
 */
export async function loadBundleTokenizer(dir: string): Promise<WordPieceTokenizer> {
  const manifest = await readManifest(dir);
  const { vocab: name, lowercase, maxLength } = manifest.tokenizer;
  const path = resolve(dir, name);
  const rel = relative(resolve(dir), path);
  if (isAbsolute(name) || rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new EnvisionError('E_BUNDLE', `${join(dir, MANIFEST_FILE)}: tokenizer.vocab must name a file inside the bundle folder, got '${name}'`);
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new EnvisionError('E_BUNDLE', `${join(dir, MANIFEST_FILE)}: tokenizer.vocab names ${path}, which does not exist`, e);
    }
    throw new EnvisionError('E_FILE', `cannot read ${path}: ${describeCause(e)}`, e);
  }
  return new WordPieceTokenizer(parseVocab(text), { lowercase, maxLength }, path);
}
