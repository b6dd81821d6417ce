import * as ort from '../ort.js';
import { EnvisionError, describeCause } from '../errors.js';
import type { NamedTensors } from '../model.js';
import { encodeModel } from '../onnx/codec.js';
import type { ModelProto } from '../onnx/types.js';
import { type Tensor, sizeOf } from '../tensor.js';

/** What probing learned about one value of the forward graph. */
export interface ValueFacts {
  /** Element type as onnxruntime names it (`float32`, `int64`, `bool`, …). */
  readonly dtype: string;
  /** Shape with batch 1 and with batch 2 (equal to `shape1` when the model's batch cannot grow). */
  readonly shape1: readonly number[];
  readonly shape2: readonly number[];
  /** For small integer values: the contents with batch 1 and batch 2. */
  readonly ints1?: readonly number[];
  readonly ints2?: readonly number[];
  /** For small integer values: the contents with batch 1 on other data; they differ from `ints1` when data-dependent. */
  readonly intsOther?: readonly number[];
}

/** What probing learned about the forward graph. */
export interface ProbeResult {
  readonly facts: Map<string, ValueFacts>;
  /**
   * False when the model cannot run at batch 2 (an input exported with a fixed batch of 1, or shapes baked into the
   * graph): every value is then known at batch 1 only, and gradients run one image and one cotangent row per call.
   */
  readonly batchable: boolean;
}

/** Integer values up to this many elements are recorded (shapes, axes, indices of small gathers). */
const MAX_RECORDED_INTS = 1 << 16;

/** Bytes of probed values fetched per run at batch 2 (about half of it at batch 1): bounds the probe's memory. */
export const PROBE_CHUNK_BYTES = 256 * 2 ** 20;

/** Names fetched by the first run, before any size is known. */
const FIRST_CHUNK_NAMES = 32;

const BYTES: Readonly<Record<string, number>> = { float32: 4, float64: 8, int64: 8, int32: 4, bool: 1, uint8: 1, int8: 1, float16: 2 };

/**
 * Runs the forward model on the first batch item alone, on it repeated twice, and on the first item with other data
 * (the float inputs scaled and shifted), with the listed intermediate values as extra outputs, and records each value's
 * type, shapes and (for small integer tensors) contents. Comparing the runs tells, for each value, which axis carries
 * the batch, which integers are computed from shapes, and which depend on the data. Every run fetches the values in
 * chunks of about {@link PROBE_CHUNK_BYTES} (one forward pass each), keeping only shapes and small integers, so the
 * probe never holds all intermediate values at once. A model that cannot run at batch 2 is probed at batch 1 only (`batchable: false`).
 *
 * @param model - the forward model
 * @param feeds - one tensor per model input, batch axis first
 * @param names - the values to probe
 */
export async function probeValues(model: ModelProto, feeds: NamedTensors, names: readonly string[]): Promise<ProbeResult> {
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
    session = await ort.InferenceSession.create(encodeModel(probe), { graphOptimizationLevel: 'disabled', logSeverityLevel: 4 });
  } catch (e) {
    throw new EnvisionError('E_ONNX', `cannot probe the model's intermediate shapes: ${describeCause(e)}`, e);
  }
  const fixedBatch = graph.input.some((i) => feeds[i.name!] !== undefined && i.type?.tensor_type?.shape?.dim?.[0]?.dim_value === 1);
  try {
    const feedsAt = (copies: number, other: boolean): Record<string, ort.Tensor> => {
      const out: Record<string, ort.Tensor> = Object.create(null) as Record<string, ort.Tensor>; // keyed by names from the model file
      for (const [name, t] of Object.entries(feeds)) out[name] = firstItem(other ? otherData(t) : t, copies);
      return out;
    };
    const read = (v: ort.Tensor) => {
      const integer = v.type === 'int64' || v.type === 'int32';
      return { dims: v.dims.map(Number), ints: integer && v.size <= MAX_RECORDED_INTS ? Array.from(v.data as ArrayLike<bigint | number>, Number) : undefined };
    };
    // The first run fetches the values in chunks too: their sizes are not known yet, so each chunk's count of names
    // is scaled from the bytes the previous chunk fetched (values close in the graph have similar sizes).
    const first = new Map<string, ReturnType<typeof read> & { dtype: string; bytes: number }>();
    const feedsOne = feedsAt(1, false);
    for (let start = 0, count = FIRST_CHUNK_NAMES; start < names.length; ) {
      const chunk = names.slice(start, start + count);
      let one: ort.InferenceSession.ReturnType;
      try {
        one = await session.run(feedsOne, chunk, { logSeverityLevel: 4 });
      } catch (e) {
        throw new EnvisionError('E_ONNX', `probing the model's intermediate values failed: ${describeCause(e)}`, e);
      }
      let fetched = 0;
      for (const name of chunk) {
        const v = one[name] as ort.Tensor;
        const bytes = v.size * (BYTES[v.type] ?? 8);
        first.set(name, { dtype: v.type, ...read(v), bytes });
        fetched += bytes;
      }
      start += chunk.length;
      count = Math.max(1, Math.min(2 * count, Math.floor((count * PROBE_CHUNK_BYTES) / Math.max(2 * fetched, 1))));
    }
    // The other runs fetch the values in chunks that fit PROBE_CHUNK_BYTES at batch 2.
    const chunks: string[][] = [[]];
    let used = 0;
    for (const name of names) {
      const bytes = 2 * first.get(name)!.bytes;
      if (used + bytes > PROBE_CHUNK_BYTES && chunks.at(-1)!.length > 0) {
        chunks.push([]);
        used = 0;
      }
      chunks.at(-1)!.push(name);
      used += bytes;
    }
    const collect = async (copies: number, other: boolean) => {
      const seen = new Map<string, ReturnType<typeof read>>();
      const feedsNow = feedsAt(copies, other);
      for (const chunk of chunks) {
        // A model that cannot run at batch 2 fails here by design: keep onnxruntime's error log off stderr.
        const result = await session.run(feedsNow, chunk, { logSeverityLevel: 4 });
        for (const name of chunk) seen.set(name, read(result[name] as ort.Tensor));
      }
      return seen;
    };
    let two: Map<string, ReturnType<typeof read>> | undefined;
    if (!fixedBatch) {
      try {
        two = await collect(2, false);
      } catch {
        two = undefined; // shapes baked into the graph: the batch cannot grow
      }
    }
    let other: Map<string, ReturnType<typeof read>> | undefined;
    try {
      other = await collect(1, true);
    } catch {
      other = undefined; // the other data is out of the model's domain: data-dependence stays untested
    }
    const facts = new Map<string, ValueFacts>();
    for (const name of names) {
      const a = first.get(name)!;
      const b = two?.get(name) ?? a;
      const c = other?.get(name);
      facts.set(name, {
        dtype: a.dtype,
        shape1: a.dims,
        shape2: b.dims,
        ...(a.ints !== undefined && b.ints !== undefined ? { ints1: a.ints, ints2: b.ints } : {}),
        ...(a.ints !== undefined && c?.ints !== undefined ? { intsOther: c.ints } : {}),
      });
    }
    return { facts, batchable: two !== undefined };
  } finally {
    await session.release();
  }
}

/**
 * The same feed with other data: float values scaled by ½ and shifted by a small pattern (integer inputs such as
 * token ids stay as they are, since other ids may be out of range).
 */
function otherData(t: Tensor): Tensor {
  if (t.dtype === 'int64') return t;
  const data = Float64Array.from(t.data as ArrayLike<number>, (v, i) => 0.5 * v + 0.25 * Math.sin(i + 1));
  return { ...t, data: t.dtype === 'float32' ? Float32Array.from(data) : data } as Tensor;
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
