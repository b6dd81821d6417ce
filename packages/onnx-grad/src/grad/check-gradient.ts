import * as ort from '../ort.js';
import { type AttributeInput, makeGraph, makeModel, makeNode, makeTensorValueInfo } from '../onnx/build.js';
import { encodeModel } from '../onnx/codec.js';
import { dataTypeOf, tensorToProto } from '../onnx/tensor-proto.js';
import type { ModelProto, NodeProto, TensorProto } from '../onnx/types.js';
import type { NamedTensors } from '../model.js';
import { type Tensor, sizeOf, tensor } from '../tensor.js';
import { buildGradientModel, COTANGENT_INPUT, GRADIENT_OUTPUT } from './builder.js';
import { RuleRegistry } from './rule-registry.js';
import type { GradientRule } from './rule.js';
import { SeededRandom } from '../random.js';

/** One single-node gradient check: an op, its inputs, and which of them is differentiated. */
export interface GradientCheck {
  /** The ONNX op type. */
  readonly op: string;
  /**
   * The node's inputs in order: tensors (the differentiated one has a leading batch axis), `null` for an omitted
   * optional input. Every input but `wrt` is an initializer.
   */
  readonly inputs: readonly (Tensor | null)[];
  /** Index of the differentiated input. */
  readonly wrt: number;
  readonly attributes?: Readonly<Record<string, AttributeInput>>;
  /** Number of node outputs. @default 1 */
  readonly outputs?: number;
  /** Which output is explained. @default 0 */
  readonly of?: number;
  /** Default-domain opset. @default 17 */
  readonly opset?: number;
  /** Cotangent rows. @default 2 */
  readonly rows?: number;
  /** Step of the central differences. @default 1e-6 for float64 inputs, 1e-2 for float32 */
  readonly epsilon?: number;
  /** The rules to build with. @default every default rule */
  readonly rules?: readonly GradientRule[];
  /** Seed of the random cotangent. @default 1 */
  readonly seed?: number;
}

/** The outcome: the largest error relative to the largest reference value. */
export interface GradientCheckResult {
  readonly relativeError: number;
  readonly maxAbsError: number;
  readonly maxReference: number;
  /** The analytic gradient `[B, K, …S]` and the finite-difference one. */
  readonly analytic: Float64Array;
  readonly numeric: Float64Array;
}

/** Uniform numbers in [0, 1) from the shared seeded generator. */
function uniforms(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.uniform();
}

/** A gradient check of a small graph: its nodes, its batched inputs and constants, and what is differentiated. */
export interface ModelGradientCheck {
  readonly nodes: readonly NodeProto[];
  /** The graph inputs (batch axis first, the same batch for all); `wrt` is one of them. */
  readonly feeds: Readonly<Record<string, Tensor>>;
  /** Constant tensors (initializers), as tensors or ready TensorProtos (e.g. bool conditions). */
  readonly initializers?: Readonly<Record<string, Tensor>> | readonly TensorProto[];
  /** The differentiated input. @default 'x' */
  readonly wrt?: string;
  /** The explained output. @default 'y' */
  readonly of?: string;
  /** Cotangent rows. @default 2 */
  readonly rows?: number;
  /** Step of the central differences. @default 1e-6 for float64 inputs, 1e-2 for float32 */
  readonly epsilon?: number;
  /** The rules to build with. */
  readonly rules: readonly GradientRule[];
  /** Default-domain opset. @default 17 */
  readonly opset?: number;
  /** Seed of the random cotangent. @default 1 */
  readonly seed?: number;
}

/**
 * Checks the gradient model of a small graph against central finite differences: ∂(c_k · y_b)/∂x_b for K random
 * cotangent rows and every batch item b, each element of x perturbed by ±ε in turn. Runs onnxruntime for both.
 */
export async function checkModelGradient(check: ModelGradientCheck): Promise<GradientCheckResult> {
  const wrt = check.wrt ?? 'x';
  const of = check.of ?? 'y';
  const x = check.feeds[wrt];
  if (x === undefined || x.dtype === 'int64') throw new Error(`the differentiated input '${wrt}' must be a float tensor among the feeds`);
  const initializers = Array.isArray(check.initializers)
    ? (check.initializers as TensorProto[])
    : Object.entries((check.initializers ?? {}) as Record<string, Tensor>).map(([name, t]) => tensorToProto(name, t));
  const inputs = Object.entries(check.feeds).map(([name, t]) => makeTensorValueInfo(name, dataTypeOf(t.dtype), ['batch', ...t.shape.slice(1)]));
  const model: ModelProto = makeModel(makeGraph(check.nodes, 'check', inputs, [{ name: of, metadata_props: [] }], initializers), { '': check.opset ?? 17 }, 8);
  const forward = await ort.InferenceSession.create(encodeModel(model));
  const ortFeeds = (data: Tensor['data']) =>
    Object.fromEntries(Object.entries(check.feeds).map(([name, t]) => [name, new ort.Tensor(t.dtype, name === wrt ? data : t.data, [...t.shape])]));
  const run = async (data: Tensor['data']) => (await forward.run(ortFeeds(data), [of]))[of]!;
  const y = await run(x.data);
  const b = x.shape[0]!;
  const inner = x.data.length / b;
  const outInner = y.size / b;
  const rows = check.rows ?? 2;
  const random = uniforms(check.seed ?? 1);
  const cot = Float64Array.from({ length: rows * outInner }, () => random() * 2 - 1);
  const eps = check.epsilon ?? (x.dtype === 'float64' ? 1e-6 : 1e-2);
  const numeric = new Float64Array(b * rows * inner);
  for (let i = 0; i < x.data.length; i++) {
    const item = Math.floor(i / inner);
    const shifted = async (d: number) => {
      const v = x.data.slice() as Float64Array;
      v[i] = v[i]! + d;
      return (await run(v)).data as Float64Array;
    };
    const [plus, minus] = [await shifted(eps), await shifted(-eps)];
    for (let k = 0; k < rows; k++) {
      let d = 0;
      for (let o = 0; o < outInner; o++) d += cot[k * outInner + o]! * (plus[item * outInner + o]! - minus[item * outInner + o]!);
      numeric[(item * rows + k) * inner + (i % inner)] = d / (2 * eps);
    }
  }
  const built = await buildGradientModel(model, check.feeds as NamedTensors, { wrt, of, rows }, new RuleRegistry(check.rules));
  const session = await ort.InferenceSession.create(encodeModel(built.model));
  const cotangent = new ort.Tensor(y.type === 'float64' ? 'float64' : 'float32', y.type === 'float64' ? cot : Float32Array.from(cot), [rows, ...y.dims.slice(1)]);
  const result = await session.run({ ...ortFeeds(x.data), [COTANGENT_INPUT]: cotangent }, [GRADIENT_OUTPUT]);
  const analytic = Float64Array.from(result[GRADIENT_OUTPUT]!.data as Float32Array);
  await Promise.all([session.release(), forward.release()]);
  let maxAbsError = 0;
  let maxReference = 0;
  for (let i = 0; i < numeric.length; i++) {
    maxAbsError = Math.max(maxAbsError, Math.abs(analytic[i]! - numeric[i]!));
    maxReference = Math.max(maxReference, Math.abs(numeric[i]!));
  }
  return { relativeError: maxAbsError / Math.max(maxReference, 1e-12), maxAbsError, maxReference, analytic, numeric };
}

/**
 * Checks a gradient rule against central finite differences on a one-node model: the differentiated input is a graph
 * input with a leading batch axis, the others initializers (see {@link checkModelGradient}).
 */
export async function checkGradient(check: GradientCheck): Promise<GradientCheckResult> {
  const x = check.inputs[check.wrt];
  if (!x) throw new Error('the differentiated input must be a tensor');
  const names = check.inputs.map((t, i) => (t === null ? '' : i === check.wrt ? 'x' : `c${i}`));
  const outNames = Array.from({ length: check.outputs ?? 1 }, (_, i) => `y${i}`);
  const initializers: Record<string, Tensor> = {};
  check.inputs.forEach((t, i) => {
    if (t !== null && i !== check.wrt) initializers[names[i]!] = t;
  });
  return checkModelGradient({
    nodes: [makeNode(check.op, names, outNames, check.attributes ?? {}, 'node')],
    feeds: { x },
    initializers,
    of: outNames[check.of ?? 0]!,
    rules: check.rules ?? (await import('./rules/index.js')).defaultRules,
    ...(check.rows === undefined ? {} : { rows: check.rows }),
    ...(check.epsilon === undefined ? {} : { epsilon: check.epsilon }),
    ...(check.opset === undefined ? {} : { opset: check.opset }),
    ...(check.seed === undefined ? {} : { seed: check.seed }),
  });
}

/** A random tensor with values uniform in [lo, hi), from a fixed seed. */
export function randomTensor<D extends 'float32' | 'float64'>(dtype: D, shape: readonly number[], seed = 7, lo = -1, hi = 1): Tensor<D> {
  const random = uniforms(seed);
  const n = sizeOf(shape);
  const values = Array.from({ length: n }, () => lo + (hi - lo) * random());
  return tensor(dtype, shape, (dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values)) as never) as Tensor<D>;
}
