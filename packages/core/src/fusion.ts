import type { JsonSchema } from './method.js';
import type { Tensor } from '@envision/onnx-grad';

/** What a fusion rule sees: the image embedding, the text embeddings and the temperature. */
export interface FusionInput<Options> {
  /** Unnormalised image embedding e, length M. */
  readonly imageEmbedding: Float32Array;
  /** Unnormalised text embeddings, float32 `[K, M]`. */
  readonly textEmbeddings: Tensor<'float32'>;
  /** log temperature: τ = exp(logitScale). */
  readonly logitScale: number;
  /** Bias b added to the model's logit τ·cos + b (SigLIP's `logit_bias`). @default 0 */
  readonly logitBias?: number;
  /**
   * Groups of text rows (e.g. the prompts of each class), for rules that reduce a group to one scalar (ensembles).
   * Rules that ignore it output one row per text.
   */
  readonly groups?: readonly (readonly number[])[];
  readonly options: Options;
}

/**
 * A fusion rule turns an image embedding and text embeddings into K scalars s_k, and gives the cotangent rows
 * c_k = ∂s_k/∂e that carry the explanation from the embedding back to the pixels (∂s_k/∂x = J(x)ᵀ c_k).
 * Published like methods: `definePlugins({ fusions: [rule] })` (or a `ContainerModule` binding the `FusionRule` token).
 */
export interface FusionRule<Options = Record<string, unknown>> {
  readonly meta: {
    readonly id: string;
    readonly optionsSchema: JsonSchema;
    readonly defaultOptions: Partial<Options>;
    /** One line saying what the rule computes. */
    readonly description: string;
    /** The paper the rule comes from, when there is one. Optional. */
    readonly paper?: string;
    /**
     * True when the scores are linear in the explained output (s_k linear in e): the cotangents then do not depend
     * on e, and a method that is linear in its target explains all K scores in one pass.
     */
    readonly linear: boolean;
  };
  /** The scores s_r for embedding e: one per text, or one per group for ensemble rules. */
  scores(input: FusionInput<Options>): Float32Array;
  /** The cotangent rows c_r = ∂s_r/∂e at e, float32 `[R, M]`, one row per score. */
  cotangents(input: FusionInput<Options>): Tensor<'float32'>;
  /** Number of rows the rule outputs for K texts in these groups (K unless the rule reduces groups). */
  rows?(textCount: number, groups: readonly (readonly number[])[] | undefined): number;
}

/** Injection token for fusion rules (shares its name with the interface). */
export const FusionRule: unique symbol = Symbol.for('@envision/core:FusionRule');
