import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { DifferentiableOnnxModel, EnvisionError, OnnxModel, type OnnxModelOptions, type TensorInfo, describeCause } from '@envision/core';
import { type BundleManifest, MANIFEST_FILE, readManifest } from './manifest.js';
import { WordPieceTokenizer, parseVocab } from './tokenizer.js';

/** A loaded MedCLIP bundle: its manifest, both ONNX models, its tokenizer and a hash identifying it all. */
export interface Bundle {
  /** The bundle folder (absolute). */
  readonly dir: string;
  readonly manifest: BundleManifest;
  /** The vision encoder: normalised pixels `[B, C, size, size]` → unnormalised embedding `[B, M]`. */
  /** The vision encoder, with gradients (for gradient attribution methods). */
  readonly vision: DifferentiableOnnxModel;
  /** The text encoder: int64 ids and mask `[B, L]` → unnormalised embedding `[B, M]`. */
  readonly text: OnnxModel;
  /** The vocabulary, id = position. */
  readonly vocab: readonly string[];
  /** The tokenizer of the manifest's `tokenizer` section over {@link Bundle.vocab}. */
  readonly tokenizer: WordPieceTokenizer;
  /** SHA-256 (hex) over the canonical manifest and the hashes of both models and the vocabulary: a cache key. */
  readonly hash: string;
}

/** Options of {@link loadBundle}: how the ONNX sessions are created. */
export type LoadBundleOptions = OnnxModelOptions;

/** JSON with object keys sorted at every level, so the hash does not depend on formatting or key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Formats a tensor's declared type and shape: `float32 [batch, 3, 224, 224]`. */
function describe(info: TensorInfo): string {
  return `${info.name} ${info.dtype} [${info.shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

/** Problems of one declared tensor against what the manifest expects (dims: number = must equal when static). */
function checkTensor(
  file: string,
  kind: 'input' | 'output',
  field: string,
  name: string,
  list: readonly TensorInfo[],
  dtype: string,
  dims: readonly (number | undefined)[],
): string[] {
  const info = list.find((t) => t.name === name);
  if (info === undefined) return [`${file} has no ${kind} '${name}' (${field}); its ${kind}s: ${list.map(describe).join(', ') || 'none'}`];
  const problems: string[] = [];
  if (info.dtype !== dtype) problems.push(`${file}: ${kind} '${name}' (${field}) is ${info.dtype}, must be ${dtype}`);
  if (info.shape.length !== dims.length) {
    problems.push(`${file}: ${kind} '${name}' (${field}) has rank ${info.shape.length} (${describe(info)}), must have rank ${dims.length}`);
  } else {
    dims.forEach((want, i) => {
      const got = info.shape[i];
      if (want !== undefined && typeof got === 'number' && got !== want) {
        problems.push(`${file}: ${kind} '${name}' (${field}) has dimension ${i} = ${got} (${describe(info)}), the manifest implies ${want}`);
      }
    });
  }
  return problems;
}

/** What signature checks read of a model. */
/** What the signature checks read of a model: its path, inputs and outputs. */
export type Signature = Pick<OnnxModel, 'path' | 'inputs' | 'outputs'>;

/** Inputs the manifest does not name (they could not be fed); reported only when every named input exists. */
function unnamedInputs(file: string, model: Signature, named: readonly string[]): string[] {
  if (!named.every((n) => model.inputs.some((i) => i.name === n))) return [];
  const extra = model.inputs.filter((i) => !named.includes(i.name)).map((i) => i.name);
  return extra.length === 0 ? [] : [`${file} has inputs ${MANIFEST_FILE} does not name: ${extra.join(', ')}`];
}

/** Checks the vision and text models' signatures against the manifest; every problem, one line. */
export function checkSignatures(manifest: BundleManifest, vision: Signature, text: Signature, source: string): void {
  const size = manifest.image.size;
  const M = manifest.embeddingDim;
  const v = manifest.vision;
  const t = manifest.text;
  const problems = [
    ...checkTensor(vision.path, 'input', 'vision.input', v.input, vision.inputs, 'float32', [undefined, v.channels, size, size]),
    ...unnamedInputs(vision.path, vision, [v.input]),
    ...checkTensor(vision.path, 'output', 'vision.output', v.output, vision.outputs, 'float32', [undefined, M]),
    ...checkTensor(text.path, 'input', 'text.inputs.ids', t.inputs.ids, text.inputs, 'int64', [undefined, undefined]),
    ...checkTensor(text.path, 'input', 'text.inputs.mask', t.inputs.mask, text.inputs, 'int64', [undefined, undefined]),
    ...unnamedInputs(text.path, text, [t.inputs.ids, t.inputs.mask]),
    ...checkTensor(text.path, 'output', 'text.output', t.output, text.outputs, 'float32', [undefined, M]),
  ];
  if (problems.length > 0) throw new EnvisionError('E_BUNDLE', `${source}: ${problems.join('; ')}`);
}

/** Resolves each file the manifest names, checking it stays inside the bundle and exists. */
async function bundleFiles(dir: string, manifest: BundleManifest, source: string): Promise<{ vision: string; text: string; vocab: string }> {
  const fields = {
    vision: ['vision.file', manifest.vision.file],
    text: ['text.file', manifest.text.file],
    vocab: ['tokenizer.vocab', manifest.tokenizer.vocab],
  } as const;
  const problems: string[] = [];
  const paths: Record<string, string> = {};
  for (const [key, [field, name]] of Object.entries(fields)) {
    const path = resolve(dir, name);
    paths[key] = path;
    const rel = relative(dir, path);
    if (isAbsolute(name) || rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
      problems.push(`${field} must name a file inside the bundle folder, got '${name}'`);
      continue;
    }
    try {
      if (!(await stat(path)).isFile()) problems.push(`${field} names ${path}, which is not a file`);
    } catch {
      problems.push(`${field} names ${path}, which does not exist`);
    }
  }
  if (problems.length > 0) throw new EnvisionError('E_BUNDLE', `${source}: ${problems.join('; ')}`);
  return paths as { vision: string; text: string; vocab: string };
}

/**
 * Loads a MedCLIP bundle folder: reads and validates `envision.json`, checks that the files it names exist,
 * loads both ONNX models and checks their inputs and outputs against the manifest, reads the vocabulary,
 * and computes the bundle hash.
 *
 * @param dir - the bundle folder
 * @param options - onnxruntime session options
 * @throws EnvisionError `E_BUNDLE` (one line naming the field, file and what is wrong) for a malformed bundle,
 *   `E_ONNX` for a model onnxruntime cannot load, `E_FILE` for an unreadable vocabulary
 */
export async function loadBundle(dir: string, options: LoadBundleOptions = {}): Promise<Bundle> {
  const root = resolve(dir);
  const manifest = await readManifest(dir);
  const source = join(dir, MANIFEST_FILE);
  const files = await bundleFiles(root, manifest, source);

  let vocabBytes: Buffer;
  try {
    vocabBytes = await readFile(files.vocab);
  } catch (e) {
    throw new EnvisionError('E_FILE', `cannot read ${files.vocab}: ${describeCause(e)}`, e);
  }
  const vocab = parseVocab(vocabBytes.toString('utf8'));
  const { lowercase, maxLength } = manifest.tokenizer;
  const tokenizer = new WordPieceTokenizer(vocab, { lowercase, maxLength }, files.vocab);

  const loaded = await Promise.allSettled([DifferentiableOnnxModel.load(files.vision, options), OnnxModel.load(files.text, options)]);
  const failed = loaded.find((r) => r.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(loaded.map((r) => (r.status === 'fulfilled' ? r.value.dispose() : undefined)));
    throw (failed as PromiseRejectedResult).reason;
  }
  const [vision, text] = loaded.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [DifferentiableOnnxModel, OnnxModel];
  try {
    checkSignatures(manifest, vision, text, source);
  } catch (e) {
    await Promise.all([vision.dispose(), text.dispose()]);
    throw e;
  }
  const hash = createHash('sha256')
    .update(`${canonicalJson(manifest)}\n`)
    .update(`vision ${vision.sha256}\ntext ${text.sha256}\n`)
    .update(`vocab ${createHash('sha256').update(vocabBytes).digest('hex')}\n`)
    .digest('hex');
  return { dir: root, manifest, vision, text, vocab, tokenizer, hash };
}
