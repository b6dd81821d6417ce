import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Tensor, formatShape, isDifferentiable, tensor } from '@envision/onnx-grad';
import type { AdapterPlugin, VlmAdapter } from '../adapter.js';
import { writeCheckImage } from './check-image.js';
import { float32Problem, formatError, relativeDeviation, shortNumber, within } from './compare.js';
import { type FiniteDifferenceOptions, directionalDerivative } from './directional-derivative.js';
import { CheckLog, type CheckResult } from './result.js';
import { seededTensor } from './tiny-model.js';

/** Where and on what {@link checkAdapter} runs the adapter. */
export interface CheckAdapterContext {
  /** Folder relative paths in the options are resolved against. @default the working directory */
  readonly baseDir?: string;
  /** An image file the adapter reads. @default a 256×256 RGB PNG (ramps, a disc, noise) written to a temporary folder */
  readonly image?: string;
  /**
   * Two texts for the text checks. A model that averages over padding tokens (MedCLIP) embeds a text differently in a
   * batch with a longer one, so the texts should be of one token count: the defaults are one word each, whole words
   * in BERT, clinical BERT and CLIP vocabularies alike.
   * @default ['normal', 'heart']
   */
  readonly texts?: readonly [string, string];
  /**
   * Largest accepted error, relative to the largest entry, between embeddings computed as a batch of two and one by
   * one (onnxruntime may sum in another order for another batch size: ~1e-7).
   * @default 1e-5
   */
  readonly tolerance?: number;
  /** Step, tolerance and seed of the finite-difference check of the vision model's vjp. */
  readonly finiteDifference?: FiniteDifferenceOptions;
}

/**
 * Checks an adapter plugin by loading it with `options` and using it as the pipeline does; `await checkAdapter(plugin,
 * options)` is a complete test. Every check runs and is returned; the kit throws when any failed:
 * - `load`: `plugin.load(options, { baseDir })` succeeds (when it does not, nothing else runs);
 * - `preprocessImage`: the image becomes float32 `[1, C, H, W]`, finite;
 * - `encodeImage`: float32 `[1, embeddingDim]`, finite;
 * - `image batch`: a batch of two images (the image and its mirror) embeds as the two singles do, within `tolerance`;
 * - `vjp`: `vision.model` has `vjp`, and its directional derivative matches central differences of its forward pass;
 * - `encodeText`: two texts embed as float32 `[2, embeddingDim]`, finite;
 * - `text batch`: `encodeText([a, b])` rows equal `encodeText([a])` and `encodeText([b])` within `tolerance`;
 * - `logitScale`: finite (and `logitBias`, when given);
 * - `dispose`: the adapter's `dispose`, when it has one, succeeds (it is always called).
 *
 * @param plugin - the adapter plugin
 * @param options - the adapter's options, as a `model` section of an experiment gives them
 * @param context - base folder, image, texts and tolerances
 * @returns the results, all passed
 * @throws EnvisionError `E_CHECK` listing each failed check as `name: detail` (cause: the first error the adapter threw)
 */
export async function checkAdapter<O>(plugin: AdapterPlugin<O>, options: O, context: CheckAdapterContext = {}): Promise<CheckResult[]> {
  const log = new CheckLog();
  const subject = `checkAdapter(${plugin.meta.id})`;
  const adapter = await log.attempt('load', 'load', () => plugin.load(options, { baseDir: context.baseDir ?? process.cwd() }));
  if (adapter === undefined) return log.finish(subject);
  log.add('load', true, `${adapter.id}, embeddingDim ${adapter.embeddingDim}`);
  const dir = context.image === undefined ? await mkdtemp(join(tmpdir(), 'envision-check-')) : undefined;
  try {
    const image = context.image ?? (await writeCheckImage(dir!));
    const pixels = await checkPixels(adapter, image, log);
    if (pixels === undefined) {
      for (const name of ['encodeImage', 'image batch', 'vjp']) log.notChecked(name, 'preprocessImage failed');
    } else {
      await checkImageEmbeddings(adapter, pixels, context.tolerance ?? 1e-5, log);
      await checkVjp(adapter, pixels, context.finiteDifference ?? {}, log);
    }
    await checkText(adapter, context.texts ?? ['normal', 'heart'], context.tolerance ?? 1e-5, log);
    const finite = Number.isFinite(adapter.logitScale) && (adapter.logitBias === undefined || Number.isFinite(adapter.logitBias));
    log.add('logitScale', finite, `logitScale ${adapter.logitScale}${adapter.logitBias === undefined ? '' : `, logitBias ${adapter.logitBias}`}`);
  } finally {
    await disposeAdapter(adapter, log);
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  }
  return log.finish(subject);
}

/** The `dispose` check: the adapter frees its models. */
async function disposeAdapter(adapter: VlmAdapter, log: CheckLog): Promise<void> {
  if (adapter.dispose === undefined) {
    log.add('dispose', true, 'no dispose: nothing to free');
    return;
  }
  try {
    await adapter.dispose();
    log.add('dispose', true, 'disposed');
  } catch (e) {
    log.threw('dispose', 'dispose', e);
  }
}

/** The `preprocessImage` check; returns the pixels when they can be used further. */
async function checkPixels(adapter: VlmAdapter, image: string, log: CheckLog): Promise<Tensor<'float32'> | undefined> {
  const pixels = await log.attempt('preprocessImage', 'preprocessImage', () => adapter.preprocessImage(image));
  if (pixels === undefined) return undefined;
  const problem = pixels.shape.length !== 4 || pixels.shape[0] !== 1 ? `pixels are ${formatShape(pixels.shape)}, expected [1, C, H, W]` : float32Problem(pixels, pixels.shape, 'pixels');
  log.add('preprocessImage', problem === undefined, problem ?? `float32 ${formatShape(pixels.shape)}, finite`);
  return problem === undefined ? pixels : undefined;
}

/** The image mirrored left to right: a second image of the same kind. */
function mirror(pixels: Tensor<'float32'>): Tensor<'float32'> {
  const w = pixels.shape[3]!;
  const out = new Float32Array(pixels.data.length);
  for (let row = 0; row < out.length / w; row++) for (let x = 0; x < w; x++) out[row * w + x] = pixels.data[row * w + w - 1 - x]!;
  return tensor('float32', pixels.shape, out);
}

/** The `encodeImage` and `image batch` checks. */
async function checkImageEmbeddings(adapter: VlmAdapter, pixels: Tensor<'float32'>, tolerance: number, log: CheckLog): Promise<void> {
  const one = await log.attempt('encodeImage', 'encodeImage', () => adapter.encodeImage(pixels));
  if (one !== undefined) {
    const problem = float32Problem(one, [1, adapter.embeddingDim], 'the image embedding');
    log.add('encodeImage', problem === undefined, problem ?? `float32 [1, ${adapter.embeddingDim}], finite`);
  }
  const other = mirror(pixels);
  const batch = await log.attempt('image batch', 'encodeImage', async () => {
    const data = new Float32Array(2 * pixels.data.length);
    data.set(pixels.data);
    data.set(other.data, pixels.data.length);
    const two = await adapter.encodeImage(tensor('float32', [2, ...pixels.shape.slice(1)], data));
    return { two, singles: [...(one ?? (await adapter.encodeImage(pixels))).data, ...(await adapter.encodeImage(other)).data] };
  });
  if (batch !== undefined) {
    const error = relativeDeviation(batch.two.data, batch.singles);
    log.add('image batch', within(error, tolerance), `a batch of two against two singles: ${formatError(error, tolerance)}`);
  }
}

/** The `vjp` check of the vision model, with two seeded cotangent rows on its output. */
async function checkVjp(adapter: VlmAdapter, pixels: Tensor<'float32'>, fd: FiniteDifferenceOptions, log: CheckLog): Promise<void> {
  const { model, input, output } = adapter.vision;
  if (!isDifferentiable(model)) {
    log.add('vjp', false, 'vision.model has no vjp: load it with DifferentiableOnnxModel.load');
    return;
  }
  const tolerance = fd.tolerance ?? 1e-2;
  const d = await log.attempt('vjp', 'vision.model', async () => {
    const feeds = { [input]: pixels };
    const out = (await model.run(feeds, [output]))[output]!;
    return directionalDerivative(model, feeds, output, input, seededTensor([2, ...out.shape.slice(1)], 301), fd);
  });
  if (d !== undefined) log.add('vjp', within(d.relativeError, tolerance), `directional derivative against central differences (h = ${shortNumber(d.step)}): ${formatError(d.relativeError, tolerance)}`);
}

/** The `encodeText` and `text batch` checks. */
async function checkText(adapter: VlmAdapter, texts: readonly [string, string], tolerance: number, log: CheckLog): Promise<void> {
  const both = await log.attempt('encodeText', 'encodeText', () => adapter.encodeText(texts));
  if (both !== undefined) {
    const problem = float32Problem(both, [2, adapter.embeddingDim], 'the text embeddings');
    log.add('encodeText', problem === undefined, problem ?? `float32 [2, ${adapter.embeddingDim}], finite`);
  }
  const singles = await log.attempt('text batch', 'encodeText', async () => [...(await adapter.encodeText([texts[0]])).data, ...(await adapter.encodeText([texts[1]])).data]);
  if (both === undefined || singles === undefined) {
    log.notChecked('text batch', 'encodeText threw');
    return;
  }
  const error = relativeDeviation(both.data, singles);
  const ok = within(error, tolerance);
  log.add('text batch', ok, `encodeText of both against each alone: ${formatError(error, tolerance)}${ok ? '' : tokenHint(adapter, texts)}`);
}

/** When the two texts have different token counts, a hint that padding may be what differs. */
function tokenHint(adapter: VlmAdapter, texts: readonly [string, string]): string {
  try {
    const lengths = texts.map((t) => {
      const batch = adapter.tokenize?.([t]);
      return batch === undefined ? undefined : batch.mask.data.reduce((s, v) => s + Number(v), 0);
    });
    return lengths[0] !== undefined && lengths[0] !== lengths[1] ? ` (the texts are ${lengths[0]} and ${lengths[1]} tokens: a model that pools over padding embeds them differently in one batch; give texts of one length)` : '';
  } catch {
    return '';
  }
}
