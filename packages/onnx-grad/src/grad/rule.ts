import type { AttributeInput } from '../onnx/build.js';
import type { NodeProto } from '../onnx/types.js';

/**
 * What a gradient rule sees of one forward node while the backward graph is built. Every shape is concrete: it is
 * the shape at the backward pass's batch (K cotangent rows × B images, row-major in K), and every forward value a rule
 * reads is already at that batch. Names returned by the emitting methods are values of the gradient graph.
 */
export interface RuleContext {
  /** The forward node. */
  readonly node: NodeProto;
  /** Version of the default ONNX operator set the model imports (13 or newer). */
  readonly opset: number;
  /** Number of inputs the node was given (optional inputs given as `''` count). */
  readonly inputCount: number;
  /** True when input i is present (not omitted, not `''`). */
  hasInput(i: number): boolean;
  /** Forward value of input i, at the backward batch (at batch 1 for rules that broadcast forward values, B = 1). */
  input(i: number): string;
  /** Forward value of output i, as {@link RuleContext.input}. */
  output(i: number): string;
  /** Concrete shape of input i. */
  inputShape(i: number): number[];
  /** Concrete shape of output i. */
  outputShape(i: number): number[];
  /** Element type of input i (`DataType` code). */
  inputType(i: number): number;
  /**
   * Compile-time values of an integer input (an initializer, a `Constant`, or a value computed from shapes only),
   * e.g. the `shape` of Reshape or the `axes` of ReduceSum; undefined when the value depends on the data.
   */
  constInts(i: number): number[] | undefined;
  /** Compile-time values of a float input (an initializer or a `Constant`), e.g. Dropout's ratio; else undefined. */
  constFloats(i: number): number[] | undefined;
  /** The cotangent of output i (shaped as output i), or undefined when that output does not reach the explained output. */
  grad(i?: number): string | undefined;
  /** True when input i needs a cotangent (it depends on the attributed input and is floating point). */
  needsGrad(i: number): boolean;
  /** Emits a node with one output and returns that output's name. */
  op(opType: string, inputs: readonly string[], attributes?: Readonly<Record<string, AttributeInput>>): string;
  /** Emits a node with several outputs and returns their names. */
  ops(opType: string, inputs: readonly string[], outputCount: number, attributes?: Readonly<Record<string, AttributeInput>>): string[];
  /** An int64 constant (1-D unless a shape is given; `[]` shape for a scalar). */
  ints(values: readonly number[], shape?: readonly number[]): string;
  /** A constant of this node's float type (that of its first floating-point input), 1-D unless shaped. */
  floats(values: readonly number[], shape?: readonly number[]): string;
  /** Sums a cotangent of shape `from` over the axes it was broadcast along, giving shape `to`. */
  unbroadcast(g: string, from: readonly number[], to: readonly number[]): string;
  /**
   * The cotangent of an input the op read one block of along one axis (Slice with step 1, Gather of one constant
   * index): `g`, the block's cotangent, placed at `start` in zeros of the input's shape. When every cotangent an input
   * receives is such a block along the same axis and together they cover it once (torch.roll's two slices, q, k and
   * v taken from one tensor), the builder joins the blocks with one Concat instead of padding each and summing them.
   * @param g - the block's cotangent: the input's shape, with `length` along `axis`
   * @param axis - the axis (non-negative)
   * @param start - the block's first index along it
   * @param length - the block's extent along it
   * @param shape - the input's shape
   */
  placed(g: string, axis: number, start: number, length: number, shape: readonly number[]): string;
  /** An integer attribute (or `fallback`); errors name the node. */
  attrInt(name: string, fallback?: number): number;
  /** An integer-list attribute (or `fallback`). */
  attrInts(name: string, fallback?: readonly number[]): number[];
  /** A float attribute (or `fallback`). */
  attrFloat(name: string, fallback?: number): number;
  /** A string attribute (or `fallback`). */
  attrString(name: string, fallback?: string): string;
  /** Throws an error naming the op and the node: for attribute combinations the rule does not handle. */
  fail(message: string): never;
}

/**
 * The gradient of one ONNX operator: given the cotangents of the node's outputs, emit nodes computing the cotangents
 * of its inputs (the vector–Jacobian product). One rule per file, as tfjs does for its kernels.
 */
export interface GradientRule {
  /** The ONNX operator type, e.g. `MatMul`. */
  readonly opType: string;
  /**
   * Set when the rule combines the forward values it reads ({@link RuleContext.input}, {@link RuleContext.output})
   * with cotangents only through numpy-broadcasting ops — `'elementwise'` (Mul, Where, Softmax's and LayerNorm's
   * reductions along non-batch axes…) or `'matmul'` (MatMul, broadcasting its leading axes) — and every value it
   * returns involves a cotangent. With one image (B = 1) and K rows, the builder then hands it forward values at
   * batch 1, which broadcast against the cotangents' K, instead of tiling them K times: no copies, and work on
   * forward values alone (exp(−x²), x̂) done once instead of K times. For `'matmul'` only values whose batch axis is
   * a leading one are handed so.
   */
  readonly broadcastsForwardValues?: 'elementwise' | 'matmul';
  /**
   * Returns one entry per node input: the name of its cotangent, or undefined for inputs that get none (integer
   * inputs, or inputs for which `ctx.needsGrad(i)` is false).
   */
  backward(ctx: RuleContext): (string | undefined)[];
}

/**
 * Ops whose gradient is zero wherever it is defined: their outputs are integers, booleans or shapes, or piecewise
 * constant (Floor, Round, Sign). On the path from the attributed input they stop the gradient, exactly.
 */
export const NON_DIFFERENTIABLE_OPS: ReadonlySet<string> = new Set([
  'Shape', 'Size', 'Range', 'ConstantOfShape', 'Constant', 'Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual',
  'Not', 'And', 'Or', 'Xor', 'NonZero', 'ArgMax', 'ArgMin', 'Mod', 'Floor', 'Ceil', 'Round', 'Sign', 'IsNaN', 'IsInf',
  'OneHot', 'EyeLike', 'RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'Bernoulli', 'Multinomial',
  'BitShift',
]);
