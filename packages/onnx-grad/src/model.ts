import type { DType, Tensor } from './tensor.js';
import type { GradientRule } from './grad/rule.js';

/** Name, element type and shape of one model input or output; a `string` or `null` dimension is symbolic. */
export interface TensorInfo {
  readonly name: string;
  /** Element type as the model declares it (`float32`, `int64`, …). */
  readonly dtype: DType | string;
  readonly shape: readonly (number | string | null)[];
}

/** Named tensors, as fed to and returned by a {@link Model}. */
export type NamedTensors = Record<string, Tensor>;

/**
 * A model that can be run forward on named tensors: the least an attribution method needs.
 * Perturbation methods (Occlusion) need nothing more.
 */
export interface Model {
  /** The inputs the model takes. */
  readonly inputs: readonly TensorInfo[];
  /** The outputs the model produces. */
  readonly outputs: readonly TensorInfo[];
  /**
   * Runs the model forward.
   * @param feeds - a tensor for every input
   * @param outputNames - the outputs to compute (default: all)
   */
  run(feeds: NamedTensors, outputNames?: readonly string[]): Promise<NamedTensors>;
}

/**
 * A {@link Model} that also computes vector–Jacobian products: for cotangent rows c_k on output `of`,
 * the gradients ∂(c_k · of)/∂wrt. Gradient methods need this; the ONNX gradient engine provides it.
 */
export interface DifferentiableModel extends Model {
  /**
   * @param feeds - a tensor for every input; `feeds[wrt]` may have batch B ≥ 1
   * @param of - the output being explained, shaped `[B, …O]`
   * @param wrt - the input to differentiate, shaped `[B, …S]`, or an intermediate tensor's name (a layer, batch axis
   *   first), whose activation the model computes from `feeds` (see {@link DifferentiableModel.layer})
   * @param cotangent - float32 `[K, …O]` weight rows, applied to every batch item
   * @returns float32 `[B, K, …S]` gradients and the forward output `of`
   */
  vjp(
    feeds: NamedTensors,
    of: string,
    wrt: string,
    cotangent: Tensor<'float32'>,
  ): Promise<{ gradient: Tensor<'float32'>; output: Tensor<'float32'> }>;
  /**
   * The same model with some gradient rules replaced, e.g. Guided Backprop's `Relu`. Optional: a model without it
   * cannot run methods that change backward rules.
   * @param rules - the replacement rules, one per op type
   * @param tag - names the replacement in cache keys, e.g. `guided-backprop`
   */
  withGradientRules?(rules: readonly GradientRule[], tag: string): DifferentiableModel;
  /**
   * A layer of the model: the model cut at intermediate tensor `name` (which becomes its input) and that tensor's
   * activation for `feeds`. A layer method (Grad-CAM, Layer IG) reads the activation A, and asks the cut model's `vjp`
   * for ∂y/∂A with `wrt: name`. Optional: models without it explain their inputs only.
   */
  layer?(feeds: NamedTensors, name: string): Promise<{ model: DifferentiableModel; activation: Tensor<'float32'> }>;
  /**
   * The largest batch of inputs `vjp` should get at once for K cotangent rows, from the model's memory budget.
   * Optional: methods fall back to a fixed batch.
   */
  batchLimit?(feeds: NamedTensors, of: string, wrt: string, rows: number): Promise<number>;
}

/** True when `model` implements {@link DifferentiableModel}. */
export function isDifferentiable(model: Model): model is DifferentiableModel {
  return typeof (model as Partial<DifferentiableModel>).vjp === 'function';
}
