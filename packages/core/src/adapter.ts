import type { Model, Tensor } from '@envision/onnx-grad';
import type { JsonSchema } from './method.js';

/** Token ids and attention mask of a padded batch of texts, int64 `[K, L]` each. */
export interface TokenBatch {
  readonly ids: Tensor<'int64'>;
  readonly mask: Tensor<'int64'>;
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
  /** The vision encoder: normalised pixels in, unnormalised embedding `[B, M]` out. */
  readonly vision: { readonly model: Model; readonly input: string; readonly output: string };
  /** Named prompt sets the model ships with (may be empty). */
  readonly promptSets: PromptSets;
  /** Reads and preprocesses an image file into the vision input, float32 `[1, C, H, W]`. */
  preprocessImage(file: string): Promise<Tensor<'float32'>>;
  /** Tokenises texts as one padded batch, exactly as the original model does. */
  tokenize(texts: readonly string[]): TokenBatch;
  /** Image embeddings (unnormalised) of preprocessed pixels `[B, C, H, W]` → float32 `[B, M]`. */
  encodeImage(pixels: Tensor<'float32'>): Promise<Tensor<'float32'>>;
  /** Text embeddings (unnormalised) of texts embedded as one padded batch → float32 `[K, M]`. */
  encodeText(texts: readonly string[]): Promise<Tensor<'float32'>>;
  /** Content hashes identifying the model (e.g. `{ "vision.onnx": sha256, … }`), recorded in run manifests. */
  readonly hashes?: Record<string, string>;
  /** Frees the model sessions. */
  dispose?(): Promise<void>;
}

/** Where an adapter is loaded from. */
export interface AdapterLoadContext {
  /** Folder that relative paths in the options are resolved against (the experiment file's folder). */
  readonly baseDir: string;
}

/** An adapter plugin: it loads a {@link VlmAdapter} from its options (for example a bundle folder). */
export interface AdapterPlugin<Options = Record<string, unknown>> {
  readonly meta: {
    /** Id used in experiments as `model.adapter`. */
    readonly id: string;
    /** JSON Schema of the adapter's options (the other fields of `model`). */
    readonly optionsSchema: JsonSchema;
    /** One line saying which models it loads. */
    readonly description: string;
  };
  load(options: Options, context: AdapterLoadContext): Promise<VlmAdapter>;
}

/** Injection token for adapter plugins (shares its name with the interface). */
export const AdapterPlugin: unique symbol = Symbol.for('@envision/core:AdapterPlugin');
