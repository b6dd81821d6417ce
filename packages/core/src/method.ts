import type { Model, NamedTensors, Tensor } from '@envision/onnx-grad';

/** A JSON Schema (draft 2020-12) object, as used for plugin options. */
export type JsonSchema = Record<string, unknown>;

/**
 * A nonlinear head on the explained output (a fusion rule such as cosine or softmax): K scalars s_k(o) per output.
 * Perturbation methods score each perturbed output with it; gradient methods take its cotangent rows ∂s_k/∂o at each
 * point they evaluate (integrated gradients along its path), so the explanation is of the head, exactly.
 */
export interface OutputHead {
  /** Scores a batch of outputs `[B, …O]` → `[B, K]` (row-major). */
  scores(output: Tensor<'float32'>): Float32Array;
  /** The cotangent rows ∂s_k/∂o at one output `[1, …O]` → `[K, …O]`. */
  cotangents(output: Tensor<'float32'>): Tensor<'float32'>;
}

/** What every attribution method plugin declares about itself. */
export interface MethodMeta<Options> {
  /** Unique id used in experiments and on the command line, e.g. `occlusion`. */
  readonly id: string;
  /** `gradient` methods need a {@link DifferentiableModel}; `perturbation` methods only run the model forward. */
  readonly kind: 'gradient' | 'perturbation';
  /**
   * True when the method is linear in its target, A(Σ w_i f_i) = Σ w_i A(f_i) exactly: the fused map can then be
   * computed as one attribution of the weighted output instead of one per output element. A function when it depends
   * on the options (Saliency is linear only without `abs`). Absent means `false` (always correct, slower).
   */
  readonly linear?: boolean | ((options: Options) => boolean);
  /**
   * The former name of {@link MethodMeta.linear}; still read for one release, with a deprecation warning.
   * @deprecated use `linear`
   */
  readonly linearInTarget?: boolean | ((options: Options) => boolean);
  /**
   * Whether the maps are shaped like the attributed input (`[K, …S]`), as checked after every call. A function when
   * it depends on the options (a layer method returns the layer's grid with `upsample: none`). @default true
   */
  readonly mapsShapedLikeInput?: boolean | ((options: Options) => boolean);
  /** JSON Schema of the options object (defaults live in {@link MethodMeta.defaultOptions}). */
  readonly optionsSchema: JsonSchema;
  /** Defaults for the options a user leaves out (required options have none). */
  readonly defaultOptions: Partial<Options>;
  /** One line saying what the method computes. */
  readonly description: string;
  /** The paper the method implements (authors, year, title). */
  readonly paper: string;
}

/** Everything an attribution method receives for one attribution. */
export interface AttributionRequest<Options> {
  /** The model to explain: a {@link DifferentiableModel} for gradient methods (the pipeline checks it has `vjp`). */
  readonly model: Model;
  /** A tensor for every model input; `inputs[wrt]` has batch 1, shape `[1, …S]`. */
  readonly inputs: NamedTensors;
  /** Name of the input being attributed. */
  readonly wrt: string;
  /** Name of the output being explained, shaped `[1, …O]`. */
  readonly of: string;
  /**
   * The target as output weights, float32 `[K, …O]`: row k is a weighting of the explained output
   * (a one-hot row is "output element i"; a text embedding is the paper's fused target).
   */
  readonly target: Tensor<'float32'>;
  /**
   * Optional nonlinear head; when given, the K scalars explained are `head.scores(output)` instead of
   * `target · output`, and `target` holds the head's cotangent rows at the input.
   */
  readonly head?: OutputHead;
  /** Validated options with defaults applied. */
  readonly options: Options;
  /** Called as work progresses, `done` out of `total` units. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** What an attribution method returns. */
export interface AttributionResult {
  /** float32 `[K, …S]`: row k is the attribution map of target row k, shaped like `inputs[wrt]` without its batch. */
  readonly maps: Tensor<'float32'>;
  /** Method-specific numbers for the run manifest (for example a convergence delta per row). */
  readonly report?: Record<string, unknown>;
}

/**
 * An attribution method plugin: data (`meta`) plus one function, in the manner of an ESLint rule.
 * Publish it from a package whose default export is `definePlugins({ methods: [method] })` (or an inversify
 * `ContainerModule` binding it to the `AttributionMethod` token).
 */
export interface AttributionMethod<Options = Record<string, unknown>> {
  readonly meta: MethodMeta<Options>;
  /** Computes the K attribution maps of one input. */
  attribute(request: AttributionRequest<Options>): Promise<AttributionResult>;
}

/**
 * Injection token for attribution methods (shares its name with the interface). A plugin package default-exports
 * an inversify `ContainerModule` that calls `bind(AttributionMethod).toConstantValue(method)`.
 * A registered symbol, so that two copies of core agree on it.
 */
export const AttributionMethod: unique symbol = Symbol.for('@envision/core:AttributionMethod');
