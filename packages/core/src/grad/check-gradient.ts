import * as ort from 'onnxruntime-node';
import { type AttributeInput, makeGraph, makeModel, makeNode, makeTensorValueInfo } from '../onnx/build.js';
import { encodeModel } from '../onnx/codec.js';
import { dataTypeOf, tensorToProto } from '../onnx/tensor-proto.js';
import type { ModelProto } from '../onnx/types.js';
import { type Tensor, sizeOf, tensor } from '../tensor.js';
import { buildGradientModel, COTANGENT_INPUT, GRADIENT_OUTPUT } from './builder.js';
import { RuleRegistry } from './rule-registry.js';
import type { GradientRule } from './rule.js';

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

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Checks a gradient rule against central finite differences: builds a one-node model, its gradient model with K
 * random cotangent rows, and compares ∂(c_k · y)/∂x with (F(x + εe_j) − F(x − εe_j)) / 2ε for every element j of
 * every batch item. Runs onnxruntime for both.
 */
export async function checkGradient(check: GradientCheck): Promise<GradientCheckResult> {
  const x = check.inputs[check.wrt];
  if (!x) throw new Error('the differentiated input must be a tensor');
  const float = x.dtype as 'float32' | 'float64';
  const elemType = dataTypeOf(float);
  const names = check.inputs.map((t, i) => (t === null ? '' : i === check.wrt ? 'x' : `c${i}`));
  const outputCount = check.outputs ?? 1;
  const outNames = Array.from({ length: outputCount }, (_, i) => `y${i}`);
  const ofName = outNames[check.of ?? 0]!;
  const graph = makeGraph(
    [makeNode(check.op, names, outNames, check.attributes ?? {}, 'node')],
    'check',
    [makeTensorValueInfo('x', elemType, ['batch', ...x.shape.slice(1)])],
    outNames.map((n) => ({ name: n, metadata_props: [] })),
    check.inputs.flatMap((t, i) => (t === null || i === check.wrt ? [] : [tensorToProto(names[i]!, t)])),
  );
  const model: ModelProto = makeModel(graph, { '': check.opset ?? 17 }, 8);
  const forward = await ort.InferenceSession.create(encodeModel(model));
  const run = async (input: Tensor): Promise<Float64Array> => {
    const out = await forward.run({ x: new ort.Tensor(float, input.data, [...input.shape]) }, [ofName]);
    return Float64Array.from(out[ofName]!.data as Float32Array);
  };
  const b = x.shape[0]!;
  const y = await run(x);
  const outInner = y.length / b;
  const rows = check.rows ?? 2;
  const random = mulberry32(check.seed ?? 1);
  const cot = Float64Array.from({ length: rows * outInner }, () => random() * 2 - 1);

  // Finite differences: all perturbed copies of each batch item in one call.
  const inner = sizeOf(x.shape.slice(1));
  const eps = check.epsilon ?? (float === 'float64' ? 1e-6 : 1e-2);
  const numeric = new Float64Array(b * rows * inner);
  for (let item = 0; item < b; item++) {
    const Ctor = float === 'float64' ? Float64Array : Float32Array;
    const batch = new Ctor(2 * inner * inner);
    for (let j = 0; j < inner; j++) {
      for (const [s, sign] of [[0, 1], [1, -1]] as const) {
        const slot = batch.subarray((2 * j + s) * inner, (2 * j + s + 1) * inner);
        slot.set((x.data as Float64Array).subarray(item * inner, (item + 1) * inner));
        slot[j] = slot[j]! + sign * eps;
      }
    }
    const ys = await run(tensor(float, [2 * inner, ...x.shape.slice(1)], batch as never));
    for (let k = 0; k < rows; k++) {
      for (let j = 0; j < inner; j++) {
        let d = 0;
        for (let o = 0; o < outInner; o++) d += cot[k * outInner + o]! * (ys[(2 * j) * outInner + o]! - ys[(2 * j + 1) * outInner + o]!);
        numeric[(item * rows + k) * inner + j] = d / (2 * eps);
      }
    }
  }

  const built = await buildGradientModel(model, { x }, { wrt: 'x', of: ofName, rows }, new RuleRegistry(check.rules ?? (await import('./rules/index.js')).defaultRules));
  const session = await ort.InferenceSession.create(encodeModel(built.model));
  const cotData = float === 'float64' ? cot : Float32Array.from(cot);
  const outShape = [rows, ...(await forward.run({ x: new ort.Tensor(float, x.data, [...x.shape]) }, [ofName]))[ofName]!.dims.slice(1)];
  const result = await session.run({ x: new ort.Tensor(float, x.data, [...x.shape]), [COTANGENT_INPUT]: new ort.Tensor(float, cotData, outShape) }, [GRADIENT_OUTPUT]);
  const analytic = Float64Array.from(result[GRADIENT_OUTPUT]!.data as Float32Array);
  await session.release();
  await forward.release();
  let maxAbsError = 0;
  let maxReference = 0;
  for (let i = 0; i < numeric.length; i++) {
    maxAbsError = Math.max(maxAbsError, Math.abs(analytic[i]! - numeric[i]!));
    maxReference = Math.max(maxReference, Math.abs(numeric[i]!));
  }
  return { relativeError: maxAbsError / Math.max(maxReference, 1e-12), maxAbsError, maxReference, analytic, numeric };
}

/** A random tensor with values uniform in [lo, hi), from a fixed seed. */
export function randomTensor<D extends 'float32' | 'float64'>(dtype: D, shape: readonly number[], seed = 7, lo = -1, hi = 1): Tensor<D> {
  const random = mulberry32(seed);
  const n = sizeOf(shape);
  const values = Array.from({ length: n }, () => lo + (hi - lo) * random());
  return tensor(dtype, shape, (dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values)) as never) as Tensor<D>;
}
