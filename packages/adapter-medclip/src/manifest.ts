import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvisionError, describeCause, isEnvisionError, resolveOptions } from '@envision/core';
import { manifestSchema } from './manifest-schema.js';

/** File name of a bundle's manifest inside the bundle folder. */
export const MANIFEST_FILE = 'envision.json';

/** PIL resampling filter of the resize step. */
export type Resample = 'bicubic' | 'bilinear';

/** A validated `envision.json` of a MedCLIP bundle (see {@link manifestSchema}); `image.resample` defaulted. */
export interface BundleManifest {
  readonly format: 'envision-bundle/1';
  readonly adapter: 'medclip';
  /** Free text naming the exported checkpoint, e.g. `vit` or `resnet`. */
  readonly variant: string;
  readonly vision: {
    /** The vision ONNX file, relative to the bundle folder. */
    readonly file: string;
    /** Input taking normalised pixels `[B, channels, size, size]`. */
    readonly input: string;
    /** Output giving the unnormalised image embedding `[B, embeddingDim]`. */
    readonly output: string;
    /** Channels the grey image is repeated to. */
    readonly channels: number;
    /** Names for useful layers of the vision model (alias → tensor name), for layer methods' `layer` option. */
    readonly layers?: Readonly<Record<string, string>>;
  };
  readonly text: {
    /** The text ONNX file, relative to the bundle folder. */
    readonly file: string;
    /** Names of the int64 `[B, L]` token-id and attention-mask inputs. */
    readonly inputs: { readonly ids: string; readonly mask: string };
    /** Output giving the unnormalised text embedding `[B, embeddingDim]`. */
    readonly output: string;
  };
  readonly tokenizer: {
    /** The WordPiece vocabulary file, relative to the bundle folder. */
    readonly vocab: string;
    /** Lowercase and strip accents (BERT uncased) before WordPiece. */
    readonly lowercase: boolean;
    /** Longest token sequence, `[CLS]` and `[SEP]` included. */
    readonly maxLength: number;
  };
  readonly image: {
    /** Side of the square model input. */
    readonly size: number;
    /** Normalisation mean on the [0, 1] scale. */
    readonly mean: number;
    /** Normalisation standard deviation on the [0, 1] scale. */
    readonly std: number;
    /** Resize filter. */
    readonly resample: Resample;
  };
  /** log of the similarity temperature. */
  readonly logitScale: number;
  /** Dimension of the joint embedding space. */
  readonly embeddingDim: number;
}

// Validation goes through core's shared ajv (Ajv2020, allErrors) and its error formatting.
const declaration = { optionsSchema: manifestSchema, defaultOptions: {} };
const PREFIX = 'manifest';

/** The schema node at a dotted instance path (`image.resample`), if the schema describes it. */
function schemaAt(path: string): Record<string, unknown> | undefined {
  let node: Record<string, unknown> | undefined = manifestSchema;
  for (const key of path.split('.')) {
    const props = node?.['properties'] as Record<string, Record<string, unknown>> | undefined;
    node = props?.[key];
  }
  return node;
}

/** Turns one core-formatted problem (`options.vision.input must be string`) into `vision.input must be string`. */
function cleanProblem(problem: string): string {
  const text = problem.startsWith('options.') ? problem.slice('options.'.length) : problem.replace(/^options /, '');
  const m = /^(\S+) must be equal to (constant|one of the allowed values)$/.exec(text);
  if (m === null) return text;
  const node = schemaAt(m[1]!);
  const allowed = node?.['const'] !== undefined ? [node['const']] : (node?.['enum'] as unknown[] | undefined);
  return allowed === undefined ? text : `${m[1]} must be ${allowed.map((v) => JSON.stringify(v)).join(' or ')}`;
}

/** Every schema violation of `value`, one `path message` string each; empty when valid. */
export function manifestProblems(value: Record<string, unknown>): string[] {
  try {
    resolveOptions(declaration, value, PREFIX);
    return [];
  } catch (e) {
    if (!isEnvisionError(e) || e.code !== 'E_CONFIG') throw e;
    return e.message
      .slice(PREFIX.length + 2)
      .split('; ')
      .map(cleanProblem);
  }
}

/**
 * Parses and validates the text of an `envision.json`.
 *
 * @param text - the file's contents
 * @param source - the file's path, which starts every message
 * @returns the manifest with `image.resample` defaulted to `bicubic`
 * @throws EnvisionError `E_BUNDLE` naming the source and every field that is wrong, on one line
 */
export function parseManifest(text: string, source: string): BundleManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new EnvisionError('E_BUNDLE', `${source}: not valid JSON: ${describeCause(e)}`, e);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new EnvisionError('E_BUNDLE', `${source}: must be a JSON object, got ${Array.isArray(json) ? 'an array' : JSON.stringify(json)}`);
  }
  const problems = manifestProblems(json as Record<string, unknown>);
  if (problems.length > 0) throw new EnvisionError('E_BUNDLE', `${source}: ${problems.join('; ')}`);
  const m = json as Omit<BundleManifest, 'image'> & { image: Omit<BundleManifest['image'], 'resample'> & { resample?: Resample } };
  return { ...m, image: { ...m.image, resample: m.image.resample ?? 'bicubic' } };
}

/**
 * Reads and validates `envision.json` of the bundle folder `dir`.
 * @throws EnvisionError `E_BUNDLE` when the folder or its manifest is missing or the manifest is invalid,
 *   `E_FILE` when the manifest exists but cannot be read
 */
export async function readManifest(dir: string): Promise<BundleManifest> {
  let isDir: boolean;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch (e) {
    throw new EnvisionError('E_BUNDLE', `bundle folder ${dir} does not exist`, e);
  }
  if (!isDir) throw new EnvisionError('E_BUNDLE', `${dir} is not a folder (a bundle is a folder holding ${MANIFEST_FILE})`);
  const source = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new EnvisionError('E_BUNDLE', `${dir} has no ${MANIFEST_FILE}: not an Envision bundle`, e);
    }
    throw new EnvisionError('E_FILE', `cannot read ${source}: ${describeCause(e)}`, e);
  }
  return parseManifest(text, source);
}
