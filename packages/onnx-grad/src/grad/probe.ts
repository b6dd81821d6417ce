import * as ort from 'onnxruntime-node';
import { EnvisionError, describeCause } from '../errors.js';
import type { NamedTensors } from '../model.js';
import { encodeModel } from '../onnx/codec.js';
import type { ModelProto } from '../onnx/types.js';
import { type Tensor, sizeOf } from '../tensor.js';

/** What probing learned about one value of the forward graph. */
export interface ValueFacts {
  /** Element type as onnxruntime names it (`float32`, `int64`, `bool`, …). */
  readonly dtype: string;
  /** Shape with batch 1 and with batch 2. */
  readonly shape1: readonly number[];
  readonly shape2: readonly number[];
  /** For small integer values: the contents with batch 1 and batch 2. */
  readonly ints1?: readonly number[];
  readonly ints2?: readonly number[];
}

/** Integer values up to this many elements are recorded (shapes, axes, indices of small gathers). */
const MAX_RECORDED_INTS = 1 << 16;

/**
 * Runs the forward model twice — on the first batch item alone and on it repeated twice — with every listed
 * intermediate value as an extra output, and records each value's type, shapes and (for small integer tensors)
 * contents. Comparing the two runs tells, for each value, which axis carries the batch and which integers are
 * computed from shapes.
 *
 * @param model - the forward model
 * @param feeds - one tensor per model input, batch axis first
 * @param names - the values to probe
 */
export async function probeValues(model: ModelProto, feeds: NamedTensors, names: readonly string[]): Promise<Map<string, ValueFacts>> {
  const graph = model.graph!;
  const declared = new Set(graph.output.map((o) => o.name));
  const probe: ModelProto = {
    ...model,
    graph: {
      ...graph,
      output: [...graph.output, ...names.filter((n) => !declared.has(n)).map((name) => ({ name, metadata_props: [] }))],
    },
  };
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(encodeModel(probe), { graphOptimizationLevel: 'disabled', logSeverityLevel: 3 });
  } catch (e) {
    throw new EnvisionError('E_ONNX', `cannot probe the model's intermediate shapes: ${describeCause(e)}`, e);
  }
  try {
    const run = async (copies: number) => {
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = firstItem(t, copies);
      return session.run(ortFeeds, [...names]);
    };
    const one = await run(1);
    const two = await run(2);
    const facts = new Map<string, ValueFacts>();
    for (const name of names) {
      const a = one[name] as ort.Tensor;
      const b = two[name] as ort.Tensor;
      const integer = a.type === 'int64' || a.type === 'int32';
      const record = integer && a.size <= MAX_RECORDED_INTS && b.size <= MAX_RECORDED_INTS;
      facts.set(name, {
        dtype: a.type,
        shape1: a.dims.map(Number),
        shape2: b.dims.map(Number),
        ...(record ? { ints1: Array.from(a.data as ArrayLike<bigint | number>, Number), ints2: Array.from(b.data as ArrayLike<bigint | number>, Number) } : {}),
      });
    }
    return facts;
  } catch (e) {
    throw new EnvisionError('E_ONNX', `probing the model's intermediate values failed: ${describeCause(e)}`, e);
  } finally {
    await session.release();
  }
}

/** The first batch item of `t`, repeated `copies` times along the batch axis, as an onnxruntime tensor. */
function firstItem(t: Tensor, copies: number): ort.Tensor {
  const inner = t.shape.slice(1);
  const n = sizeOf(inner);
  const Ctor = t.data.constructor as new (length: number) => Tensor['data'];
  const data = new Ctor(n * copies);
  for (let c = 0; c < copies; c++) (data as Float32Array).set((t.data as Float32Array).subarray(0, n), c * n);
  return new ort.Tensor(t.dtype, data, [copies, ...inner]);
}
