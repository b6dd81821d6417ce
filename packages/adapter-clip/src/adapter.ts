import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import {
  DifferentiableOnnxModel,
  EnvisionError,
  type ExecutionProvider,
  OnnxModel,
  type OnnxModelOptions,
  type PromptSets,
  type Tensor,
  type TensorInfo,
  type TextSide,
  type TokenBatch,
  type VlmAdapter,
  expectEmbeddings,
  formatShape,
  tensor,
  tokenTextSide,
} from '@envision/core';
import { type ClipFolder, readClipFolder } from './folder.js';
import { preprocessFile } from './image-processor.js';
import { readSafetensors, readSafetensorsHeader } from '@envision/import';

/** Options of a {@link ClipAdapter}: the `model` fields of an experiment besides `adapter`. */
export interface ClipAdapterOptions {
  /** The model folder. */
  readonly dir: string;
  /** The vision encoder's ONNX file, relative to `dir`. @default 'onnx/vision_model.onnx' */
  readonly vision?: string;
  /** The text encoder's ONNX file, relative to `dir`. @default 'onnx/text_model.onnx' */
  readonly text?: string;
  /** log temperature, when the folder's weights do not hold `logit_scale` (or to override them). */
  readonly logitScale?: number;
  /** Logit bias (SigLIP), when the folder's weights do not hold `logit_bias` (or to override them). */
  readonly logitBias?: number;
  /** How logits become probabilities. @default 'sigmoid' for SigLIP, else 'softmax' */
  readonly scoring?: 'softmax' | 'sigmoid';
  /** The vision model's pixel input. @default 'pixel_values' */
  readonly visionInput?: string;
  /** The vision model's embedding output. @default 'image_embeds', else 'pooler_output' */
  readonly visionOutput?: string;
  /** The text model's token-id input. @default 'input_ids' */
  readonly textInput?: string;
  /** The text model's embedding output. @default 'text_embeds', else 'pooler_output' */
  readonly textOutput?: string;
  /** Largest image accepted, in pixels (width × height). @default 100_000_000 */
  readonly limitInputPixels?: number;
  /** onnxruntime intra-op threads. */
  readonly intraOpNumThreads?: number;
  /**
   * onnxruntime execution providers of every session (both encoders, forward and gradient; the plugin passes the
   * experiment's resolved `model.executionProviders` from its load context). @default ['cpu']
   */
  readonly executionProviders?: readonly ExecutionProvider[];
}

/** The onnxruntime options of the adapter's sessions: threads and execution providers, when given. */
function sessionOptionsOf(options: ClipAdapterOptions): OnnxModelOptions {
  return {
    ...(options.intraOpNumThreads === undefined ? {} : { intraOpNumThreads: options.intraOpNumThreads }),
    ...(options.executionProviders === undefined ? {} : { executionProviders: options.executionProviders }),
  };
}

function pick(file: string, kind: string, infos: readonly TensorInfo[], wanted: string | undefined, defaults: readonly string[], option: string): string {
  const names = infos.map((i) => i.name);
  if (wanted !== undefined) {
    if (!names.includes(wanted)) throw new EnvisionError('E_BUNDLE', `${file}: no ${kind} '${wanted}' (option ${option}); it has ${names.join(', ')}`);
    return wanted;
  }
  const found = defaults.find((d) => names.includes(d));
  if (found === undefined) throw new EnvisionError('E_BUNDLE', `${file}: no ${kind} ${defaults.map((d) => `'${d}'`).join(' or ')}; it has ${names.join(', ')} (set option ${option})`);
  return found;
}

/** The static width of an embedding output `[batch, M]`, or undefined when symbolic. */
function widthOf(info: TensorInfo): number | undefined {
  const last = info.shape[info.shape.length - 1];
  return typeof last === 'number' && last > 0 ? last : undefined;
}

/** `logit_scale` and `logit_bias` of the folder's weights, each when present (one float each). */
async function weightsLogits(weights: string | undefined): Promise<{ scale?: number; bias?: number }> {
  if (weights === undefined) return {};
  const st = await readSafetensorsHeader(weights);
  const names = ['logit_scale', 'logit_bias'].filter((n) => st.entries.has(n));
  const tensors = await readSafetensors(st, names);
  const one = (name: string): number | undefined => {
    const t = tensors.get(name);
    if (t === undefined) return undefined;
    if (t.data.length !== 1 || !Number.isFinite(t.data[0])) throw new EnvisionError('E_BUNDLE', `${weights}: ${name} must be one finite number, got ${formatShape(t.shape)}`);
    return t.data[0]!;
  };
  const scale = one('logit_scale');
  const bias = one('logit_bias');
  return { ...(scale === undefined ? {} : { scale }), ...(bias === undefined ? {} : { bias }) };
}

/**
 * A CLIP-family dual encoder (CLIP, SigLIP, Chinese-CLIP, open_clip models such as BiomedCLIP) exported to ONNX, as
 * an Envision {@link VlmAdapter}: the folder's own image processor and tokenizer reproduced exactly, its two ONNX
 * encoders run by onnxruntime, the vision one differentiable.
 */
export class ClipAdapter implements VlmAdapter {
  readonly id = 'clip';
  readonly promptSets: PromptSets = {};
  private readonly cache = new Map<string, Tensor<'float32'>>();

  private constructor(
    /** What the folder says. */
    readonly folder: ClipFolder,
    /** The text encoder. */
    readonly textModel: OnnxModel,
    readonly vision: { readonly model: DifferentiableOnnxModel; readonly input: string; readonly output: string },
    private readonly text: { readonly ids: string; readonly mask?: string; readonly types?: string; readonly output: string },
    readonly embeddingDim: number,
    readonly logitScale: number,
    readonly logitBias: number | undefined,
    readonly scoring: 'softmax' | 'sigmoid',
    private readonly options: ClipAdapterOptions,
  ) {}

  /** SHA-256 of each ONNX file, recorded in run manifests. */
  get hashes(): Record<string, string> {
    const name = (path: string): string => relative(this.folder.dir, path);
    return { [name(this.vision.model.path)]: this.vision.model.sha256, [name(this.textModel.path)]: this.textModel.sha256 };
  }

  /**
   * Reads the folder, loads both encoders and resolves the logit scale and bias (from the weights, else from the
   * options).
   * @throws EnvisionError `E_BUNDLE` naming the file and field for every problem; `E_CONFIG` when no logit scale is known
   */
  static async load(options: ClipAdapterOptions): Promise<ClipAdapter> {
    const dir = resolve(options.dir);
    const folder = await readClipFolder(dir);
    const files = { vision: resolve(dir, options.vision ?? 'onnx/vision_model.onnx'), text: resolve(dir, options.text ?? 'onnx/text_model.onnx') };
    for (const [which, file] of Object.entries(files)) {
      if (!existsSync(file)) throw new EnvisionError('E_BUNDLE', `${file}: no such file (set model.${which} to the ${which} encoder's ONNX file, relative to ${dir})`);
    }
    const sessionOptions = sessionOptionsOf(options);
    const vision = await DifferentiableOnnxModel.load(files.vision, sessionOptions);
    const text = await OnnxModel.load(files.text, sessionOptions);
    const visionInput = pick(files.vision, 'input', vision.inputs, options.visionInput, ['pixel_values'], 'visionInput');
    const visionOutput = pick(files.vision, 'output', vision.outputs, options.visionOutput, ['image_embeds', 'pooler_output'], 'visionOutput');
    const ids = pick(files.text, 'input', text.inputs, options.textInput, ['input_ids'], 'textInput');
    const mask = text.inputs.some((i) => i.name === 'attention_mask') ? 'attention_mask' : undefined;
    // BERT-style text towers (Chinese-CLIP, BiomedCLIP's PubMedBERT) may also declare token_type_ids: all zeros.
    const types = text.inputs.some((i) => i.name === 'token_type_ids') ? 'token_type_ids' : undefined;
    const textOutput = pick(files.text, 'output', text.outputs, options.textOutput, ['text_embeds', 'pooler_output'], 'textOutput');
    const m = widthOf(vision.outputs.find((o) => o.name === visionOutput)!);
    const mText = widthOf(text.outputs.find((o) => o.name === textOutput)!);
    if (m !== undefined && mText !== undefined && m !== mText) {
      throw new EnvisionError('E_BUNDLE', `${files.text}: output '${textOutput}' has width ${mText}, but ${files.vision}: output '${visionOutput}' has width ${m}`);
    }
    const embeddingDim = m ?? mText;
    if (embeddingDim === undefined) throw new EnvisionError('E_BUNDLE', `${files.vision}: output '${visionOutput}' has no static width; export it with a fixed embedding size`);
    const fromWeights = await weightsLogits(folder.weights);
    const logitScale = options.logitScale ?? fromWeights.scale;
    if (logitScale === undefined) {
      const where = folder.weights === undefined ? `${dir} has no model.safetensors` : `${folder.weights} has no logit_scale tensor`;
      throw new EnvisionError('E_CONFIG', `adapter clip: no logit scale: ${where}; set the logitScale option (model.logitScale in an experiment, --logit-scale on the command line; ln 100 = 4.6052 for OpenAI CLIP)`);
    }
    const scoring = options.scoring ?? folder.scoring;
    const logitBias = options.logitBias ?? fromWeights.bias;
    if (scoring === 'sigmoid' && logitBias === undefined) {
      throw new EnvisionError('E_CONFIG', `adapter clip: sigmoid scoring needs a logit bias: ${folder.weights ?? dir} has no logit_bias tensor; set the logitBias option (model.logitBias, --logit-bias)`);
    }
    return new ClipAdapter(folder, text, { model: vision, input: visionInput, output: visionOutput }, { ids, ...(mask ? { mask } : {}), ...(types ? { types } : {}), output: textOutput }, embeddingDim, logitScale, logitBias, scoring, options);
  }

  /** The folder's image processor on an image file → float32 `[1, 3, H, W]`. */
  preprocessImage(file: string): Promise<Tensor<'float32'>> {
    return preprocessFile(file, this.folder.processor, this.options.limitInputPixels);
  }

  /** The folder's tokenizer, padded and truncated as Python HF does. */
  tokenize(texts: readonly string[]): TokenBatch {
    return this.folder.tokenizer.encodeBatch(texts);
  }

  /**
   * Unnormalised image embeddings of preprocessed pixels.
   * @returns float32 `[B, embeddingDim]`
   */
  async encodeImage(pixels: Tensor<'float32'>): Promise<Tensor<'float32'>> {
    const out = await this.vision.model.run({ [this.vision.input]: pixels }, [this.vision.output]);
    return expectEmbeddings(out[this.vision.output]!, pixels.shape[0]!, this.embeddingDim, `${this.vision.model.path}: output '${this.vision.output}'`);
  }

  /**
   * Unnormalised text embeddings of texts embedded as ONE padded batch (the mask, and zero token types, are fed when
   * the model takes them).
   * @returns float32 `[K, embeddingDim]`
   */
  async encodeText(texts: readonly string[]): Promise<Tensor<'float32'>> {
    const key = JSON.stringify(texts);
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const batch = this.tokenize(texts);
    const feeds = {
      [this.text.ids]: batch.ids,
      ...(this.text.mask ? { [this.text.mask]: batch.mask } : {}),
      ...(this.text.types ? { [this.text.types]: tensor('int64', batch.ids.shape, new BigInt64Array(batch.ids.data.length)) } : {}),
    };
    const out = await this.textModel.run(feeds, [this.text.output]);
    const embeds = expectEmbeddings(out[this.text.output]!, texts.length, this.embeddingDim, `${this.textModel.path}: output '${this.text.output}'`);
    this.cache.set(key, embeds);
    return embeds;
  }

  /**
   * The text encoder for token attributions: loaded again with gradients, cut at its token embeddings (the lookup of
   * the ids); the baseline replaces every token that is not special (the tokenizer's special added tokens, padding) by
   * the pad token.
   * @throws EnvisionError `E_BUNDLE` when the text model has no token-embedding lookup
   */
  async textSide(): Promise<TextSide> {
    const model = await DifferentiableOnnxModel.load(this.textModel.path, sessionOptionsOf(this.options));
    const wordEmbeddings = model.embeddingLookup(this.text.ids);
    if (wordEmbeddings === undefined) {
      await model.dispose();
      throw new EnvisionError('E_BUNDLE', `${this.textModel.path}: no token-embedding lookup (a Gather of '${this.text.ids}' in a 2-D table) to attribute tokens at`);
    }
    const { tokenizer, options } = this.folder.tokenizer;
    const specialIds = new Set([...tokenizer.get_added_tokens_decoder()].filter(([, t]) => t.special).map(([id]) => id));
    specialIds.add(options.padId);
    const types = this.text.types;
    return tokenTextSide({
      model,
      output: this.text.output,
      wordEmbeddings,
      ids: this.text.ids,
      ...(this.text.mask ? { mask: this.text.mask } : {}),
      ...(types ? { extra: (batch: TokenBatch) => ({ [types]: tensor('int64', batch.ids.shape, new BigInt64Array(batch.ids.data.length)) }) } : {}),
      encode: (texts) => this.tokenize(texts),
      padId: options.padId,
      specialIds,
      idToToken: (id) => tokenizer.id_to_token(id) ?? '<unk>',
    });
  }

  /** Releases both onnxruntime sessions. */
  async dispose(): Promise<void> {
    await Promise.all([this.vision.model.dispose(), this.textModel.dispose()]);
  }
}
