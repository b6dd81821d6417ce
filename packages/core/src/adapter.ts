import { EnvisionError, type DifferentiableModel, type ExecutionProvider, type Tensor, formatShape, tensor } from '@envision/onnx-grad';
import type { TextSide } from './token-attribution.js';
import type { JsonSchema } from './method.js';

/** Token ids and attention mask of a padded batch of texts, int64 `[K, L]` each. */
export interface TokenBatch {
  readonly ids: Tensor<'int64'>;
  readonly mask: Tensor<'int64'>;
}

/**
 * Token ids of several texts as one padded batch: each row padded with `padId` to `length` (default: the longest
 * row), the attention mask 1 on tokens and 0 on padding.
 * @throws EnvisionError `E_INPUT` for no rows
 */
export function padTokenRows(rows: readonly (readonly number[])[], padId: number, length = Math.max(...rows.map((r) => r.length))): TokenBatch {
  if (rows.length === 0) throw new EnvisionError('E_INPUT', 'tokenize: give at least one text');
  const ids = new BigInt64Array(rows.length * length).fill(BigInt(padId));
  const mask = new BigInt64Array(rows.length * length);
  rows.forEach((row, k) => {
    row.forEach((id, j) => {
      ids[k * length + j] = BigInt(id);
      mask[k * length + j] = 1n;
    });
  });
  return { ids: tensor('int64', [rows.length, length], ids), mask: tensor('int64', [rows.length, length], mask) };
}

/**
 * An encoder's embedding output, checked to be float32 `[rows, dim]`.
 * @param what - names the model file and output in the message
 * @throws EnvisionError `E_BUNDLE` naming `what`, the shape it has and the one expected
 */
export function expectEmbeddings(t: Tensor, rows: number, dim: number, what: string): Tensor<'float32'> {
  if (t.dtype !== 'float32' || t.shape.length !== 2 || t.shape[0] !== rows || t.shape[1] !== dim) {
    throw new EnvisionError('E_BUNDLE', `${what} is ${t.dtype} ${formatShape(t.shape)}, expected float32 [${rows}, ${dim}]`);
  }
  return t as Tensor<'float32'>;
}

/** Named prompt sets: set name → class name → prompts. */
export type PromptSets = Record<string, Record<string, readonly string[]>>;

/**
 * A dual-encoder vision–language model ready to be explained: what turns an image file and texts into embeddings,
 * and which tensors of the vision model the attribution runs on.
 */
export interface VlmAdapter {
  /** The adapter id this came from, e.g. `medclip`. */
  readonly id: string;
  /** Dimension M of the joint embedding space. */
  readonly embeddingDim: number;
  /** log of the similarity temperature: logits = exp(logitScale) · cos(text, image) + logitBias. */
  readonly logitScale: number;
  /** The bias added to every logit (SigLIP's `logit_bias`). @default 0 */
  readonly logitBias?: number;
  /**
   * How the model turns logits into probabilities: `softmax` over the prompts (CLIP, MedCLIP) or `sigmoid` per
   * image–text pair (SigLIP). @default 'softmax'
   */
  readonly scoring?: 'softmax' | 'sigmoid';
  /**
   * The vision encoder: normalised pixels in (`input`, `[B, C, H, W]`, any batch B), unnormalised embedding `[B, M]`
   * out (`output`). Gradient methods need its vector–Jacobian products: load it with
   * `DifferentiableOnnxModel.load(file)` (the gradient graph is built on the first `vjp`, so this costs nothing until a
   * gradient method runs). Checked when the adapter loads: the names exist and the output width is `embeddingDim`.
   */
  readonly vision: { readonly model: DifferentiableModel; readonly input: string; readonly output: string };
  /**
   * Names for useful layers of the vision model (alias → tensor name, e.g. `lastStage`), so that a layer method's
   * `layer` option can name a layer without its tensor name. Optional.
   */
  readonly layers?: Readonly<Record<string, string>>;
  /** Named prompt sets the model ships with, for targets' `promptSet`. Optional. */
  readonly promptSets?: PromptSets;
  /** Reads and preprocesses an image file into the vision input, float32 `[1, C, H, W]`. */
  preprocessImage(file: string): Promise<Tensor<'float32'>>;
  /**
   * Tokenises texts as one padded batch, exactly as the original model does. Optional: the pipeline does not call it
   * (`encodeText` takes texts); `envision tokenize` does.
   */
  tokenize?(texts: readonly string[]): TokenBatch;
  /** Image embeddings (unnormalised) of preprocessed pixels `[B, C, H, W]` → float32 `[B, M]`. */
  encodeImage(pixels: Tensor<'float32'>): Promise<Tensor<'float32'>>;
  /** Text embeddings (unnormalised) of texts embedded as one padded batch → float32 `[K, M]`. */
  encodeText(texts: readonly string[]): Promise<Tensor<'float32'>>;
  /**
   * The text side for token attributions (`explain: text`): the text encoder with gradients, its word-embedding
   * tensor, and feeds for texts and their baseline. Optional: adapters without it explain images only.
   */
  textSide?(): Promise<TextSide>;
  /** Content hashes identifying the model (e.g. `{ "vision.onnx": sha256, … }`), recorded in run manifests. */
  readonly hashes?: Record<string, string>;
  /** Frees the model sessions. */
  dispose?(): Promise<void>;
}

/** Where an adapter is loaded from. */
export interface AdapterLoadContext {
  /** Folder that relative paths in the options are resolved against (the experiment file's folder). */
  readonly baseDir: string;
  /**
   * The onnxruntime execution providers every session the adapter creates must use (forward and gradient, vision and
   * text: pass them as `executionProviders` of `OnnxModel.load` / `DifferentiableOnnxModel.load`). The core has
   * resolved the experiment's `model.executionProviders` against this machine already: a provider that cannot load
   * has stopped the run or, when the list names `cpu`, been dropped (with a warning). Absent when a caller loads the
   * plugin by hand: then the CPU.
   * @default ['cpu']
   */
  readonly executionProviders?: readonly ExecutionProvider[];
}

/**
 * An adapter plugin: it loads a {@link VlmAdapter} from its options (for example a model folder). Published with
 * `definePlugins({ adapters: [plugin] })`.
 */
export interface AdapterPlugin<Options = Record<string, unknown>> {
  readonly meta: {
    /** Id used in experiments as `model.adapter`. */
    readonly id: string;
    /** JSON Schema of the adapter's options (the other fields of `model`). */
    readonly optionsSchema: JsonSchema;
    /** Defaults for the options a user leaves out, merged under the given ones. Optional. */
    readonly defaultOptions?: Partial<Options>;
    /** One line saying which models it loads. */
    readonly description: string;
  };
  load(options: Options, context: AdapterLoadContext): Promise<VlmAdapter>;
}

/** Injection token for adapter plugins (shares its name with the interface). */
export const AdapterPlugin: unique symbol = Symbol.for('@envision/core:AdapterPlugin');
