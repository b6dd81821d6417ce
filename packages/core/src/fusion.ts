import type { JsonSchema } from './method.js';
import type { Tensor } from './tensor.js';

/** What a fusion rule sees: the image embedding, the text embeddings and the temperature. */
export interface FusionInput<Options> {
  /** Unnormalised image embedding e, length M. */
  readonly imageEmbedding: Float32Array;
  /** Unnormalised text embeddings, float32 `[K, M]`. */
  readonly textEmbeddings: Tensor<'float32'>;
  /** log temperature: τ = exp(logitScale). */
  readonly logitScale: number;
  readonly options: Options;
}

/**
 * A fusion rule turns an image embedding and text embeddings into K scalars s_k, and gives the cotangent rows
 * c_k = ∂s_k/∂e that carry the explanation from the embedding back to the pixels (∂s_k/∂x = J(x)ᵀ c_k).
 * Published like methods, under the `FusionRule` token.
 */
export interface FusionRule<Options = Record<string, unknown>> {
  readonly meta: {
    readonly id: string;
    readonly optionsSchema: JsonSchema;
    readonly defaultOptions: Partial<Options>;
    readonly description: string;
    /** True when s_k is linear in e (then the cotangents do not depend on e). */
    readonly linear: boolean;
  };
  /** The K scores s_k for embedding e. */
  scores(input: FusionInput<Options>): Float32Array;
  /** The cotangent rows c_k = ∂s_k/∂e at e, float32 `[K, M]`. */
  cotangents(input: FusionInput<Options>): Tensor<'float32'>;
}

/** Injection token for fusion rules (shares its name with the interface). */
export const FusionRule: unique symbol = Symbol.for('@envision/core:FusionRule');
