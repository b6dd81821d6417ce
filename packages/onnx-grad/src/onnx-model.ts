import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import * as ort from './ort.js';
import { EnvisionError, describeCause } from './errors.js';
import { type ExecutionProvider, resolveExecutionProviders, sessionOptions } from './execution-providers.js';
import type { Model, NamedTensors, TensorInfo } from './model.js';
import { type DType, type Tensor, batchItem, formatShape, tensor } from './tensor.js';

/** The version of the onnxruntime-node package that runs every model (for run manifests). */
export function onnxRuntimeVersion(): string {
  return ort.env.versions.node ?? ort.env.versions.common;
}

/** Options for loading an ONNX model. */
export interface OnnxModelOptions {
  /**
   * Threads onnxruntime uses inside one operator.
   * @default the number of CPU cores (onnxruntime's own default)
   */
  readonly intraOpNumThreads?: number;
  /**
   * The onnxruntime execution providers, in order of preference (every session of the model, forward and gradient,
   * uses them). A provider that cannot load on this machine is dropped when the list names `cpu`; otherwise loading
   * fails with `E_PROVIDER` (see `resolveExecutionProviders`).
   * @default ['cpu']
   */
  readonly executionProviders?: readonly ExecutionProvider[];
}

const SUPPORTED: readonly string[] = ['float32', 'float64', 'int64'];

export { setDefaultIntraOpNumThreads, intraOpThreadsOption } from './session-threads.js';

/**
 * A {@link Model} backed by an onnxruntime-node inference session (on the CPU unless other execution providers are
 * named). Every call checks the feeds against the
 * model's declared inputs and fails with a one-line error naming the input and what would be valid.
 */
export class OnnxModel implements Model {
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];

  private constructor(
    /** The file the model was loaded from. */
    readonly path: string,
    /** SHA-256 of the model bytes (hex), recorded in run manifests and used as a cache key. */
    readonly sha256: string,
    private readonly session: ort.InferenceSession,
  ) {
    this.inputs = session.inputMetadata.map(toInfo);
    this.outputs = session.outputMetadata.map(toInfo);
  }

  /**
   * Loads an ONNX model from a file.
   * @throws EnvisionError `E_FILE` when the file cannot be read, `E_ONNX` when it is not a loadable ONNX model,
   *   `E_PROVIDER` as {@link OnnxModel.fromBytes}
   */
  static async load(path: string, options: OnnxModelOptions = {}): Promise<OnnxModel> {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (e) {
      throw new EnvisionError('E_FILE', `cannot read model ${path}: ${describeCause(e)}`, e);
    }
    return OnnxModel.fromBytes(bytes, path, options);
  }

  /**
   * Loads an ONNX model from its bytes; `path` names it in messages.
   * @throws EnvisionError `E_PROVIDER` when an execution provider cannot load and the list has no `cpu`, `E_ONNX` when
   *   the bytes are not a loadable ONNX model
   */
  static async fromBytes(bytes: Uint8Array, path: string, options: OnnxModelOptions = {}): Promise<OnnxModel> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const { used } = await resolveExecutionProviders(options.executionProviders);
    let session: ort.InferenceSession;
    try {
      // (onnxruntime's own log lines, such as warnings about unused initializers, never reach stderr: failures arrive
      // as exceptions and are said in one line.)
      session = await ort.InferenceSession.create(bytes, sessionOptions({ ...options, executionProviders: used }));
    } catch (e) {
      throw new EnvisionError('E_ONNX', `${path} is not a loadable ONNX model: ${describeCause(e)}`, e);
    }
    return new OnnxModel(path, sha256, session);
  }

  /** Information about input `name`. @throws EnvisionError `E_INPUT` listing the model's inputs when it has none so named */
  input(name: string): TensorInfo {
    const info = this.inputs.find((i) => i.name === name);
    if (info === undefined) {
      throw new EnvisionError('E_INPUT', `${this.path} has no input '${name}' (inputs: ${this.inputs.map((i) => i.name).join(', ')})`);
    }
    return info;
  }

  /** Information about output `name`. @throws EnvisionError `E_INPUT` listing the model's outputs when it has none so named */
  output(name: string): TensorInfo {
    const info = this.outputs.find((o) => o.name === name);
    if (info === undefined) {
      throw new EnvisionError('E_INPUT', `${this.path} has no output '${name}' (outputs: ${this.outputs.map((o) => o.name).join(', ')})`);
    }
    return info;
  }

  /** Checks that `feeds` gives every input exactly once, with the declared element type and a compatible shape. */
  checkFeeds(feeds: NamedTensors, anyBatch = false): void {
    for (const name of Object.keys(feeds)) this.input(name);
    for (const info of this.inputs) {
      const t = feeds[info.name];
      if (t === undefined) throw new EnvisionError('E_INPUT', `${this.path}: input '${info.name}' is missing (give ${describeInfo(info)})`);
      if (t.dtype !== info.dtype) {
        throw new EnvisionError('E_INPUT', `${this.path}: input '${info.name}' must be ${info.dtype}, got ${t.dtype}`);
      }
      const fits = t.shape.length === info.shape.length && info.shape.every((d, i) => typeof d !== 'number' || d === t.shape[i] || (anyBatch && i === 0));
      if (!fits) {
        throw new EnvisionError('E_INPUT', `${this.path}: input '${info.name}' must have shape ${formatDims(info.shape)}, got ${formatShape(t.shape)}`);
      }
    }
  }

  /**
   * True when the model was exported with a fixed batch of 1 (an input's first dimension is the number 1): such a
   * model runs a batch of B one item at a time.
   */
  get fixedBatch(): boolean {
    return this.inputs.some((i) => i.shape[0] === 1);
  }

  async run(feeds: NamedTensors, outputNames?: readonly string[]): Promise<NamedTensors> {
    const b = Math.max(...Object.values(feeds).map((t) => t.shape[0] ?? 1));
    if (this.fixedBatch && b > 1) return this.runEachItem(feeds, b, outputNames);
    this.checkFeeds(feeds);
    const names = outputNames ?? this.outputs.map((o) => o.name);
    for (const n of names) this.output(n);
    const ortFeeds: Record<string, ort.Tensor> = Object.create(null) as Record<string, ort.Tensor>; // keyed by names from the model file
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.dtype, t.data, [...t.shape]);
    let results: ort.InferenceSession.ReturnType;
    try {
      results = await this.session.run(ortFeeds, [...names]);
    } catch (e) {
      throw new EnvisionError('E_ONNX', `${this.path}: onnxruntime failed: ${describeCause(e)}`, e);
    }
    const out: NamedTensors = Object.create(null) as NamedTensors; // keyed by names from the model file
    for (const name of names) out[name] = fromOrt(results[name] as ort.Tensor, `${this.path}: output '${name}'`);
    return out;
  }

  /** Runs a fixed-batch model on each of `b` items and stacks the outputs along their first axis. */
  private async runEachItem(feeds: NamedTensors, b: number, outputNames?: readonly string[]): Promise<NamedTensors> {
    this.checkFeeds(feeds, true);
    const parts: NamedTensors[] = [];
    for (let item = 0; item < b; item++) {
      const one: NamedTensors = Object.create(null) as NamedTensors; // keyed by names from the model file
      for (const [name, t] of Object.entries(feeds)) one[name] = t.shape[0] === b ? batchItem(t, item) : t;
      parts.push(await this.run(one, outputNames));
    }
    const out: NamedTensors = Object.create(null) as NamedTensors; // keyed by names from the model file
    for (const name of Object.keys(parts[0]!)) {
      const first = parts[0]![name]!;
      if (first.shape[0] !== 1) throw new EnvisionError('E_ONNX', `${this.path}: output '${name}' is ${formatShape(first.shape)} at batch 1; a fixed-batch model runs item by item only when its outputs have batch 1`);
      const Ctor = first.data.constructor as new (n: number) => typeof first.data;
      const data = new Ctor(first.data.length * b);
      parts.forEach((p, i) => (data as Float32Array).set(p[name]!.data as Float32Array, i * first.data.length));
      out[name] = tensor(first.dtype, [b, ...first.shape.slice(1)], data);
    }
    return out;
  }

  /** Releases the onnxruntime session. */
  async dispose(): Promise<void> {
    await this.session.release();
  }
}

function toInfo(m: ort.InferenceSession.ValueMetadata): TensorInfo {
  if (!m.isTensor) return { name: m.name, dtype: 'non-tensor', shape: [] };
  return { name: m.name, dtype: m.type, shape: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : typeof d === 'string' ? d : null)) };
}

function formatDims(shape: readonly (number | string | null)[]): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

function describeInfo(info: TensorInfo): string {
  return `${info.dtype} ${formatDims(info.shape)}`;
}

function fromOrt(t: ort.Tensor, what: string): Tensor {
  if (!SUPPORTED.includes(t.type)) throw new EnvisionError('E_ONNX', `${what} has unsupported type ${t.type}`);
  const dims = [...t.dims].map(Number);
  return tensor(t.type as DType, dims, t.data as Float32Array);
}
