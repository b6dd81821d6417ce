import { DifferentiableOnnxModel, EnvisionError, type PromptSets, type Tensor, type TextSide, type TokenBatch, type VlmAdapter, expectEmbeddings, formatShape, tokenTextSide } from '@envision/core';
import { type Bundle, type LoadBundleOptions, loadBundle } from './bundle.js';
import { bundlePreprocessOptions } from './bundle-parts.js';
import { clampLogitScale } from './classifier.js';
import { DEFAULT_LIMIT_INPUT_PIXELS } from '@envision/image';
import { preprocessImage } from './preprocess.js';
import { builtinPromptSets } from './prompts/sets.js';
import { TextEmbeddingCache, sharedTextCache } from './text-cache.js';

/** Options of a {@link MedClipAdapter}. */
export interface MedClipAdapterOptions extends LoadBundleOptions {
  /**
   * Largest image accepted by {@link MedClipAdapter.preprocessImage}, in pixels.
   * @default 100_000_000
   */
  readonly limitInputPixels?: number;
  /**
   * Where text embeddings are cached.
   * @default a cache shared by all adapters of the process
   */
  readonly textCache?: TextEmbeddingCache;
}

/**
 * MedCLIP (Wang et al. 2022) as an Envision {@link VlmAdapter}, running a bundle's two ONNX encoders with
 * MedCLIP's own preprocessing and tokenisation.
 */
export class MedClipAdapter implements VlmAdapter {
  readonly id = 'medclip';
  readonly embeddingDim: number;
  /**
   * The effective log temperature: the manifest's `logitScale` clamped to [0, ln 100] as MedCLIP's `compute_logits`
   * does, so fusion rules and the `PromptClassifier` scale by the same factor.
   */
  readonly logitScale: number;
  readonly vision: VlmAdapter['vision'];
  /** The bundle's names for layers of the vision model (`vision.layers` in envision.json). */
  readonly layers: Readonly<Record<string, string>>;
  /**
   * MedCLIP's prompt sets: `chexpert5` (its CheXpert-5 templates, 489 prompts), `covid` (Normal, COVID),
   * `rsna` (Normal, Pneumonia) and `labels` (the bare CheXpert-5 class names).
   */
  readonly promptSets: PromptSets = builtinPromptSets;
  /** SHA-256 of the bundle and of each ONNX file, recorded in run manifests. */
  readonly hashes: Record<string, string>;
  private readonly cache: TextEmbeddingCache;

  /**
   * @param bundle - a loaded bundle (see {@link loadBundle}); the adapter owns its models from now on
   * @param options - pixel limit and text cache
   */
  constructor(
    readonly bundle: Bundle,
    private readonly options: MedClipAdapterOptions = {},
  ) {
    const m = bundle.manifest;
    this.embeddingDim = m.embeddingDim;
    this.logitScale = clampLogitScale(m.logitScale);
    this.vision = { model: bundle.vision, input: m.vision.input, output: m.vision.output };
    this.layers = m.vision.layers ?? {};
    this.cache = options.textCache ?? sharedTextCache;
    this.hashes = { bundle: bundle.hash, [m.vision.file]: bundle.vision.sha256, [m.text.file]: bundle.text.sha256 };
  }

  /**
   * Loads the bundle folder `dir` and wraps it.
   * @throws EnvisionError `E_BUNDLE` / `E_ONNX` / `E_FILE` as {@link loadBundle}
   */
  static async load(dir: string, options: MedClipAdapterOptions = {}): Promise<MedClipAdapter> {
    return new MedClipAdapter(await loadBundle(dir, options), options);
  }

  /** MedCLIPFeatureExtractor on an image file (PNG, JPEG, DICOM …) → float32 `[1, channels, size, size]`. */
  preprocessImage(file: string): Promise<Tensor<'float32'>> {
    return preprocessImage(file, bundlePreprocessOptions(this.bundle.manifest, this.options.limitInputPixels ?? DEFAULT_LIMIT_INPUT_PIXELS));
  }

  /** BERT WordPiece of the texts as one batch padded to its longest sequence. */
  tokenize(texts: readonly string[]): TokenBatch {
    return this.bundle.tokenizer.encodeBatch(texts);
  }

  /**
   * Unnormalised image embeddings of preprocessed pixels.
   * @param pixels - float32 `[B, channels, size, size]`
   * @returns float32 `[B, embeddingDim]`
   */
  async encodeImage(pixels: Tensor<'float32'>): Promise<Tensor<'float32'>> {
    const { vision, image } = this.bundle.manifest;
    const want = [vision.channels, image.size, image.size];
    if (pixels.shape.length !== 4 || want.some((d, i) => pixels.shape[i + 1] !== d)) {
      throw new EnvisionError('E_INPUT', `medclip encodeImage: pixels must be [B, ${want.join(', ')}], got ${formatShape(pixels.shape)}`);
    }
    const out = await this.bundle.vision.run({ [vision.input]: pixels }, [vision.output]);
    return expectEmbeddings(out[vision.output]!, pixels.shape[0]!, this.embeddingDim, `${this.bundle.vision.path}: output '${vision.output}'`);
  }

  /**
   * Unnormalised text embeddings of the texts embedded as ONE padded batch (as MedCLIP embeds a class's prompts:
   * pad tokens are averaged in, so the batch matters). Cached per (bundle hash, exact batch).
   * @returns float32 `[K, embeddingDim]`
   */
  async encodeText(texts: readonly string[]): Promise<Tensor<'float32'>> {
    const cached = this.cache.get(this.bundle.hash, texts);
    if (cached !== undefined) return cached;
    const { text } = this.bundle.manifest;
    const batch = this.tokenize(texts);
    const out = await this.bundle.text.run({ [text.inputs.ids]: batch.ids, [text.inputs.mask]: batch.mask }, [text.output]);
    const embeds = expectEmbeddings(out[text.output]!, texts.length, this.embeddingDim, `${this.bundle.text.path}: output '${text.output}'`);
    this.cache.set(this.bundle.hash, texts, embeds);
    return embeds;
  }

  /**
   * The text encoder for token attributions: loaded again with gradients, cut at its word embeddings (the lookup of
   * the ids); the baseline replaces every token but [CLS], [SEP] and [PAD] by [PAD].
   * @throws EnvisionError `E_BUNDLE` when the text model has no token-embedding lookup
   */
  async textSide(): Promise<TextSide> {
    const { text } = this.bundle.manifest;
    const model = await DifferentiableOnnxModel.load(this.bundle.text.path, this.options);
    const wordEmbeddings = model.embeddingLookup(text.inputs.ids);
    if (wordEmbeddings === undefined) {
      await model.dispose();
      throw new EnvisionError('E_BUNDLE', `${this.bundle.text.path}: no token-embedding lookup (a Gather of '${text.inputs.ids}' in a 2-D table) to attribute tokens at`);
    }
    const tok = this.bundle.tokenizer;
    return tokenTextSide({
      model,
      output: text.output,
      wordEmbeddings,
      ids: text.inputs.ids,
      mask: text.inputs.mask,
      encode: (texts) => tok.encodeBatch(texts),
      padId: tok.padId,
      specialIds: new Set([tok.clsId, tok.sepId, tok.padId]),
      idToToken: (id) => tok.idToToken(id),
    });
  }

  /** Releases both onnxruntime sessions. */
  async dispose(): Promise<void> {
    await Promise.all([this.bundle.vision.dispose(), this.bundle.text.dispose()]);
  }
}
