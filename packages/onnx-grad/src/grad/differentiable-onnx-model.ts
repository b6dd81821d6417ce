import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as ort from '../ort.js';
import { writeFileAtomic } from '../atomic-file.js';
import { EnvisionError, describeCause } from '../errors.js';
import type { DifferentiableModel, NamedTensors, TensorInfo } from '../model.js';
import { decodeModel, encodeModel } from '../onnx/codec.js';
import type { ModelProto } from '../onnx/types.js';
import { dataTypeName, dataTypeOf, tensorToProto } from '../onnx/tensor-proto.js';
import { OnnxModel, type OnnxModelOptions } from '../onnx-model.js';
import { type SessionSettings, resolveExecutionProviders, sessionOptions } from '../execution-providers.js';
import { type Tensor, formatShape, batchItem, repeatBatch, sameShape, sizeOf, tensor } from '../tensor.js';
import { analyzeGraph, buildGradientModel, COTANGENT_INPUT, GRADIENT_OUTPUT, type GraphAnalysis } from './builder.js';
import { closeNames, cutAt, embeddingLookup, valueNames } from './cut.js';
import { RuleRegistry } from './rule-registry.js';
import type { GradientRule } from './rule.js';
import { defaultRules } from './rules/index.js';

/** Bump when the builder's output changes, so cached gradient models are rebuilt. */
const BUILDER_VERSION = 6;
const DEFAULT_BUDGET = 4 * 2 ** 30;

/** Options of {@link DifferentiableOnnxModel}. */
export interface DifferentiableOnnxModelOptions extends OnnxModelOptions {
  /** The gradient rules. @default every rule Envision ships */
  readonly rules?: RuleRegistry;
  /**
   * Folder where built gradient models are cached, keyed by the model's hash, the shapes, `wrt`/`of`, the rows per
   * call and the rule set; `null` disables the disk cache.
   * @default `$ENVISION_CACHE_DIR`, else `~/.cache/envision/grad`
   */
  readonly cacheDir?: string | null;
  /**
   * Memory the backward pass may use for activations, which bounds how many cotangent rows run in one call: rows × B ×
   * (bytes of the probed forward values of one item) stays below it.
   * @default 4 GiB
   */
  readonly memoryBudgetBytes?: number;
  /**
   * Upper bound on cotangent rows per call. On a Swin-T at 224² the per-row cost falls from 2.65× a forward pass at
   * 1 row to 1.58× at 8 rows and rises again at 16 (memory bandwidth), hence the default.
   * @default 8
   */
  readonly maxRowsPerCall?: number;
  /** Cotangent rows per call, overriding the memory budget and the bound. */
  readonly rowsPerCall?: number;
  /**
   * onnxruntime's memory settings for the gradient sessions (the forward session keeps onnxruntime's defaults).
   * @default GRADIENT_SESSION_DEFAULTS
   */
  readonly gradientSession?: GradientSessionSettings;
}

/** onnxruntime settings of a gradient session (see {@link SessionSettings}). */
export type GradientSessionSettings = Pick<SessionSettings, 'enableCpuMemArena' | 'enableMemPattern' | 'graphOptimizationLevel'>;

/**
 * The gradient sessions' settings unless {@link DifferentiableOnnxModelOptions.gradientSession} says otherwise: the
 * memory pattern off. On the Swin-T benchmark encoder (scripts/bench/issue23.mjs, saliency with 5 rows) it took peak
 * resident memory from 1.65 to 1.21 GiB and the call from 9.8 to 4.2 forwards, with bit-identical gradients (it only
 * changes how buffers are allocated).
 */
export const GRADIENT_SESSION_DEFAULTS: GradientSessionSettings = { enableMemPattern: false };

/** Facts about the last vjp call, for benchmarks and manifests. */
export interface VjpStats {
  /** Rows per call and the number of calls. */
  rowsPerCall: number;
  calls: number;
  /** Whether the gradient model came from the disk cache, the memory cache, or was built now. */
  source: 'built' | 'disk' | 'memory';
  /** Time to obtain the gradient session (build or load), ms. */
  prepareMs: number;
}

/** The analysis' facts that size the calls (see {@link GraphAnalysis}). */
interface SizeFacts {
  bytesPerItem: number;
  batchable: boolean;
}

interface Prepared {
  session: ort.InferenceSession;
  rows: number;
}

/**
 * An ONNX model with gradients: `run` is the forward model, `vjp` runs a gradient model built from it by the
 * gradient-graph builder (cached in memory and on disk). K cotangent rows run in as few calls as memory allows,
 * sharing one forward computation per call.
 */
export class DifferentiableOnnxModel implements DifferentiableModel {
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  /** Facts about the last vjp call. */
  lastStats: VjpStats | undefined;
  private proto: ModelProto | undefined;
  private readonly sessions = new Map<string, Promise<Prepared>>();
  private readonly analyses = new Map<string, Promise<GraphAnalysis>>();
  private readonly sizes = new Map<string, Promise<SizeFacts>>();
  private readonly activations = new Map<string, Promise<OnnxModel>>();
  private readonly cuts = new Map<string, Promise<DifferentiableOnnxModel>>();

  private constructor(
    /** The forward model. */
    readonly forward: OnnxModel,
    private readonly bytes: Uint8Array,
    private readonly options: DifferentiableOnnxModelOptions,
    /** The rules this model differentiates with. */
    readonly rules: RuleRegistry,
  ) {
    this.inputs = forward.inputs;
    this.outputs = forward.outputs;
  }

  /**
   * Loads an ONNX model file.
   * @throws EnvisionError `E_FILE` / `E_ONNX` / `E_PROVIDER` as {@link OnnxModel.load}
   */
  static async load(path: string, options: DifferentiableOnnxModelOptions = {}): Promise<DifferentiableOnnxModel> {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (e) {
      throw new EnvisionError('E_FILE', `cannot read model ${path}: ${describeCause(e)}`, e);
    }
    const forward = await OnnxModel.fromBytes(bytes, path, options);
    return new DifferentiableOnnxModel(forward, bytes, options, options.rules ?? new RuleRegistry(defaultRules));
  }

  /** A model built in memory (a cut model): `path` names it in messages and cache keys. */
  private static async fromProto(proto: ModelProto, path: string, options: DifferentiableOnnxModelOptions, rules: RuleRegistry): Promise<DifferentiableOnnxModel> {
    const bytes = encodeModel(proto);
    return new DifferentiableOnnxModel(await OnnxModel.fromBytes(bytes, path, options), bytes, options, rules);
  }

  /**
   * The decoded model (decoded once and shared: read it, do not change it). Copy what you change, as
   * {@link DifferentiableOnnxModel.withInitializers} does.
   */
  modelProto(): ModelProto {
    return this.model();
  }

  /**
   * The same graph with some initializers replaced (a model-randomisation sanity check, a pruned or perturbed model),
   * built in memory: the decoded model is copied with the new values, encoded and loaded into a new session. The new
   * model has the same rules and options, except that its gradient models are never cached on disk (each variant is
   * used once); dispose it when done.
   * @param replacements - initializer name → its new value (same element type and shape as the one it replaces)
   * @param tag - names the variant in messages, e.g. `randomised-3`
   * @throws EnvisionError `E_INPUT` naming an initializer the model does not have, or a value of another type or shape
   */
  async withInitializers(replacements: ReadonlyMap<string, Tensor>, tag: string): Promise<DifferentiableOnnxModel> {
    const proto = this.model();
    const graph = proto.graph!;
    const byName = new Map(graph.initializer.map((t) => [t.name!, t]));
    for (const [name, t] of replacements) {
      const old = byName.get(name);
      if (old === undefined) throw new EnvisionError('E_INPUT', `${this.path}: no initializer '${name}' to replace`);
      const dims = old.dims;
      if (dataTypeOf(t.dtype) !== old.data_type || !sameShape(dims, t.shape)) {
        throw new EnvisionError('E_INPUT', `${this.path}: initializer '${name}' is ${dataTypeName(old.data_type)} ${formatShape(dims)}, its replacement ${t.dtype} ${formatShape(t.shape)}`);
      }
    }
    const initializer = graph.initializer.map((t) => {
      const value = replacements.get(t.name!);
      return value === undefined ? t : tensorToProto(t.name!, value);
    });
    const options = { ...this.options, cacheDir: null };
    return DifferentiableOnnxModel.fromProto({ ...proto, graph: { ...graph, initializer } }, `${this.path}#${tag}`, options, this.rules);
  }

  /** The word-embedding lookup of token-id input `input` (see {@link embeddingLookup}), if the model has one. */
  embeddingLookup(input: string): string | undefined {
    return embeddingLookup(this.model(), input);
  }

  /** The values the model's nodes compute: what `layer`, `activation` and `vjp` accept besides the inputs. */
  valueNames(): string[] {
    return valueNames(this.model());
  }

  /**
   * The forward value of an intermediate tensor (a layer's activation), batch axis first.
   * @throws EnvisionError `E_INPUT` naming close names when no node computes `name`
   */
  async activation(feeds: NamedTensors, name: string): Promise<Tensor<'float32'>> {
    let m = this.activations.get(name);
    if (m === undefined) {
      const proto = this.model();
      if (!valueNames(proto).includes(name)) {
        const inputs = proto.graph!.input.map((i) => i.name!);
        throw new EnvisionError('E_INPUT', `${this.path}: no intermediate value '${name}'; close names: ${closeNames(name, [...inputs, ...valueNames(proto)]).join(', ')}`);
      }
      const graph = proto.graph!;
      const withOutput: ModelProto = { ...proto, graph: { ...graph, output: [...graph.output, { name, metadata_props: [] }] } };
      m = OnnxModel.fromBytes(encodeModel(withOutput), `${this.path}#${name}`, this.options);
      this.activations.set(name, m);
    }
    const t = (await (await m).run(feeds, [name]))[name]!;
    if (t.dtype !== 'float32') throw new EnvisionError('E_INPUT', `${this.path}: value '${name}' is ${t.dtype}; only float32 values can be differentiated`);
    return t as Tensor<'float32'>;
  }

  /**
   * The model cut at an intermediate tensor: `name` becomes its input (fed with {@link activation}), so methods and
   * `vjp` on it explain that layer. Cached per layer and per the activation's shape after the batch axis.
   * @throws EnvisionError `E_INPUT` when the value does not carry the batch on its first axis (e.g. Swin's windows)
   */
  async layer(feeds: NamedTensors, name: string): Promise<{ model: DifferentiableOnnxModel; activation: Tensor<'float32'> }> {
    const activation = await this.activation(feeds, name);
    const b = Math.max(...Object.values(feeds).map((t) => t.shape[0] ?? 1));
    if (activation.shape[0] !== b) {
      throw new EnvisionError('E_INPUT', `${this.path}: value '${name}' is ${formatShape(activation.shape)} for a batch of ${b}; a layer must carry the batch on its first axis`);
    }
    const inner = activation.shape.slice(1);
    const key = `${name}|${inner.join(',')}`;
    let cut = this.cuts.get(key);
    if (cut === undefined) {
      const dims = [this.forward.fixedBatch ? 1 : 'batch', ...inner];
      cut = DifferentiableOnnxModel.fromProto(cutAt(this.model(), name, dims, this.path), `${this.path}#${name}`, this.options, this.rules);
      this.cuts.set(key, cut);
    }
    return { model: await cut, activation };
  }

  /** The file the model was loaded from. */
  get path(): string {
    return this.forward.path;
  }

  /** SHA-256 of the model bytes (hex). */
  get sha256(): string {
    return this.forward.sha256;
  }

  /** The same model differentiated with other rules (e.g. Guided Backprop's `Relu`); shares the forward session. */
  withRules(rules: RuleRegistry): DifferentiableOnnxModel {
    return new DifferentiableOnnxModel(this.forward, this.bytes, this.options, rules);
  }

  withGradientRules(rules: readonly GradientRule[], tag: string): DifferentiableOnnxModel {
    const registry = this.rules.clone();
    for (const rule of rules) registry.override(rule, tag);
    return this.withRules(registry);
  }

  async batchLimit(feeds: NamedTensors, of: string, wrt: string, rows: number): Promise<number> {
    const { bytesPerItem, batchable } = await this.sizeFacts(feeds, wrt, of);
    if (!batchable) return 1;
    const budget = this.options.memoryBudgetBytes ?? DEFAULT_BUDGET;
    return Math.max(1, Math.floor(budget / (Math.max(1, rows) * Math.max(bytesPerItem, 1))));
  }

  run(feeds: NamedTensors, outputNames?: readonly string[]): Promise<NamedTensors> {
    return this.forward.run(feeds, outputNames);
  }

  async vjp(feeds: NamedTensors, of: string, wrt: string, cotangent: Tensor<'float32'>): Promise<{ gradient: Tensor<'float32'>; output: Tensor<'float32'> }> {
    if (!this.inputs.some((i) => i.name === wrt) && feeds[wrt] === undefined) {
      // An intermediate tensor: differentiate the model cut there, fed with the layer's activation.
      const { model, activation } = await this.layer(feeds, wrt);
      const cutFeeds: NamedTensors = { [wrt]: activation };
      for (const i of model.inputs) if (feeds[i.name] !== undefined) cutFeeds[i.name] = feeds[i.name]!;
      const result = await model.vjp(cutFeeds, of, wrt, cotangent);
      this.lastStats = model.lastStats;
      return result;
    }
    const x = feeds[wrt];
    if (x === undefined) throw new EnvisionError('E_INPUT', `${this.forward.path}: no feed for the differentiated input '${wrt}'`);
    this.forward.input(wrt);
    const info = this.forward.output(of);
    if (info.dtype !== 'float32' && info.dtype !== 'float64') {
      throw new EnvisionError('E_INPUT', `${this.forward.path}: output '${of}' is ${info.dtype}: only a float output has gradients`);
    }
    const b = x.shape[0]!;
    const full: NamedTensors = Object.create(null) as NamedTensors; // keyed by names from the model file
    for (const [name, t] of Object.entries(feeds)) full[name] = t.shape[0] === 1 && b > 1 ? repeatBatch(t, b) : t;
    this.forward.checkFeeds(full, true);
    const k = cotangent.shape[0]!;
    const started = performance.now();
    const plan = await this.plan(full, wrt, of);
    if (!plan.batchable && b > 1) return this.vjpEachItem(full, of, wrt, cotangent);
    this.forward.checkFeeds(full);
    const { session, rows, source } = await this.prepare(full, wrt, of, k, plan.rows);
    const prepareMs = performance.now() - started;
    const rowSize = sizeOf(cotangent.shape.slice(1));
    const inner = sizeOf(x.shape.slice(1));
    const gradient = new Float32Array(b * k * inner);
    let output: Tensor<'float32'> | undefined;
    const ortFeeds: Record<string, ort.Tensor> = Object.create(null) as Record<string, ort.Tensor>; // keyed by names from the model file
    for (const [name, t] of Object.entries(full)) ortFeeds[name] = new ort.Tensor(t.dtype, t.data, [...t.shape]);
    let calls = 0;
    for (let first = 0; first < k; first += rows) {
      const count = Math.min(rows, k - first);
      const chunk = new Float32Array(rows * rowSize);
      chunk.set(cotangent.data.subarray(first * rowSize, (first + count) * rowSize));
      ortFeeds[COTANGENT_INPUT] = new ort.Tensor('float32', chunk, [rows, ...cotangent.shape.slice(1)]);
      let result: ort.InferenceSession.ReturnType;
      try {
        result = await session.run(ortFeeds, [GRADIENT_OUTPUT, of]);
      } catch (e) {
        throw new EnvisionError('E_ONNX', `${this.forward.path}: the gradient model failed: ${describeCause(e)}`, e);
      }
      calls++;
      const g = result[GRADIENT_OUTPUT]!.data as Float32Array;
      for (let item = 0; item < b; item++) {
        gradient.set(g.subarray(item * rows * inner, (item * rows + count) * inner), (item * k + first) * inner);
      }
      if (output === undefined) {
        const o = result[of]!;
        output = tensor('float32', o.dims.map(Number), Float32Array.from(o.data as Float32Array));
        if (!sameShape(output.shape.slice(1), cotangent.shape.slice(1))) {
          throw new EnvisionError('E_INPUT', `cotangent has shape ${formatShape(cotangent.shape)} but output '${of}' is ${formatShape(output.shape)}: expected [K, ${output.shape.slice(1).join(', ')}]`);
        }
      }
    }
    this.lastStats = { rowsPerCall: rows, calls, source, prepareMs };
    return { gradient: tensor('float32', [b, k, ...x.shape.slice(1)], gradient), output: output! };
  }

  /** Releases every session (the cut models' and activation models' too). */
  async dispose(): Promise<void> {
    for (const p of this.sessions.values()) await (await p).session.release();
    for (const p of this.cuts.values()) await (await p).dispose();
    for (const p of this.activations.values()) await (await p).dispose();
    await this.forward.dispose();
  }

  private model(): ModelProto {
    this.proto ??= decodeModel(this.bytes, this.forward.path);
    return this.proto;
  }

  private shapesKey(feeds: NamedTensors, wrt: string, of: string): string {
    const shapes = Object.entries(feeds)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, t]) => `${name}:${t.dtype}[${t.shape.slice(1).join(',')}]`);
    return JSON.stringify({ v: BUILDER_VERSION, model: this.forward.sha256, shapes, wrt, of });
  }

  private analysis(feeds: NamedTensors, wrt: string, of: string): Promise<GraphAnalysis> {
    const key = this.shapesKey(feeds, wrt, of);
    let a = this.analyses.get(key);
    if (a === undefined) {
      a = analyzeGraph(this.model(), feeds, wrt, of);
      this.analyses.set(key, a);
    }
    return a;
  }

  private cacheDir(): string | null {
    if (this.options.cacheDir !== undefined) return this.options.cacheDir;
    return process.env.ENVISION_CACHE_DIR ?? join(homedir(), '.cache', 'envision', 'grad');
  }

  /**
   * What sizing needs from the analysis — bytes of the probed values per batch item, and whether the batch can grow —
   * remembered on disk beside the gradient models, so a new process finds them without probing the model again
   * (probing holds every intermediate value of one item at once: the largest memory peak of a first run).
   */
  private sizeFacts(feeds: NamedTensors, wrt: string, of: string): Promise<SizeFacts> {
    const key = this.shapesKey(feeds, wrt, of);
    let facts = this.sizes.get(key);
    if (facts === undefined) {
      facts = (async () => {
        const dir = this.cacheDir();
        const file = dir === null ? undefined : join(dir, `sizes-${hash(key)}.json`);
        const saved = file === undefined ? undefined : await readSizeFacts(file);
        if (saved !== undefined) return saved;
        const { bytesPerItem, batchable } = await this.analysis(feeds, wrt, of);
        if (file !== undefined) await writeFileAtomic(file, JSON.stringify({ bytesPerItem, batchable }) + '\n').catch(() => undefined);
        return { bytesPerItem, batchable };
      })();
      this.sizes.set(key, facts);
    }
    return facts;
  }

  /** The rows per call (given, else from the memory budget and the bound) and whether the model's batch can grow. */
  private async plan(feeds: NamedTensors, wrt: string, of: string): Promise<{ rows: number; batchable: boolean }> {
    const b = feeds[wrt]!.shape[0]!;
    const budget = this.options.memoryBudgetBytes ?? DEFAULT_BUDGET;
    const { bytesPerItem, batchable } = await this.sizeFacts(feeds, wrt, of);
    // A model whose batch cannot grow runs one image and one cotangent row per call.
    const rows = !batchable ? 1 : (this.options.rowsPerCall ?? Math.min(this.options.maxRowsPerCall ?? 8, Math.max(1, Math.floor(budget / (b * Math.max(bytesPerItem, 1))))));
    return { rows, batchable };
  }

  /** vjp one batch item at a time, for a model whose batch cannot grow: `[B, K, …S]` assembled from B calls. */
  private async vjpEachItem(feeds: NamedTensors, of: string, wrt: string, cotangent: Tensor<'float32'>): Promise<{ gradient: Tensor<'float32'>; output: Tensor<'float32'> }> {
    const b = feeds[wrt]!.shape[0]!;
    const k = cotangent.shape[0]!;
    const inner = sizeOf(feeds[wrt]!.shape.slice(1));
    const gradient = new Float32Array(b * k * inner);
    const outputs: Tensor<'float32'>[] = [];
    let calls = 0;
    for (let item = 0; item < b; item++) {
      const one: NamedTensors = Object.create(null) as NamedTensors; // keyed by names from the model file
      for (const [name, t] of Object.entries(feeds)) one[name] = t.shape[0] === b ? batchItem(t, item) : t;
      const r = await this.vjp(one, of, wrt, cotangent);
      gradient.set(r.gradient.data, item * k * inner);
      outputs.push(r.output);
      calls += this.lastStats?.calls ?? 0;
    }
    const output = tensor('float32', [b, ...outputs[0]!.shape.slice(1)], Float32Array.from(outputs.flatMap((o) => Array.from(o.data))));
    this.lastStats = { ...this.lastStats!, calls };
    return { gradient: tensor('float32', [b, k, ...feeds[wrt]!.shape.slice(1)], gradient), output };
  }

  private async prepare(feeds: NamedTensors, wrt: string, of: string, k: number, planned: number): Promise<Prepared & { source: VjpStats['source'] }> {
    const b = feeds[wrt]!.shape[0]!;
    const base = this.shapesKey(feeds, wrt, of);
    const dir = this.cacheDir();
    let rows = planned;
    rows = Math.max(1, Math.min(rows, k));
    const key = hash(`${base}|b=${b}|rows=${rows}|rules=${this.rules.id()}`);
    const cached = this.sessions.get(key);
    if (cached !== undefined) return { ...(await cached), source: 'memory' };
    let source: VjpStats['source'] = 'built';
    const prepared = (async (): Promise<Prepared> => {
      const file = dir === null ? undefined : join(dir, `vjp-${key}.onnx`);
      let bytes: Uint8Array | undefined;
      if (file !== undefined) {
        // A cached model is used only when its bytes still have the SHA-256 recorded beside them when it was written:
        // a truncated, corrupt or edited file is rebuilt, never run.
        const [cachedBytes, recorded] = await Promise.all([readFile(file).catch(() => undefined), readFile(`${file}.sha256`, 'utf8').catch(() => undefined)]);
        if (cachedBytes !== undefined && recorded?.trim() === sha256(cachedBytes)) {
          bytes = cachedBytes;
          source = 'disk';
        }
      }
      if (bytes === undefined) {
        const analysis = await this.analysis(feeds, wrt, of);
        const built = await buildGradientModel(this.model(), feeds, { wrt, of, rows: rows! }, this.rules, analysis);
        bytes = encodeModel(built.model);
        if (file !== undefined) {
          await writeFileAtomic(file, bytes)
            .then(() => writeFileAtomic(`${file}.sha256`, `${sha256(bytes!)}\n`))
            .catch(() => undefined);
        }
      }
      // The gradient model runs on the forward model's execution providers (resolved once per process).
      const { used } = await resolveExecutionProviders(this.options.executionProviders);
      try {
        const session = await ort.InferenceSession.create(bytes, sessionOptions({ ...this.options, ...GRADIENT_SESSION_DEFAULTS, ...this.options.gradientSession, executionProviders: used }));
        return { session, rows: rows! };
      } catch (e) {
        throw new EnvisionError('E_ONNX', `${this.forward.path}: onnxruntime rejected the gradient model: ${describeCause(e)}`, e);
      }
    })();
    this.sessions.set(key, prepared);
    try {
      return { ...(await prepared), source };
    } catch (e) {
      this.sessions.delete(key);
      throw e;
    }
  }
}

/** The SHA-256 of some bytes, in hex. */
function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

async function readSizeFacts(file: string): Promise<SizeFacts | undefined> {
  try {
    const facts = JSON.parse(await readFile(file, 'utf8')) as { bytesPerItem?: unknown; batchable?: unknown };
    if (typeof facts.bytesPerItem !== 'number' || !Number.isFinite(facts.bytesPerItem) || facts.bytesPerItem < 0 || typeof facts.batchable !== 'boolean') return undefined;
    return { bytesPerItem: facts.bytesPerItem, batchable: facts.batchable };
  } catch {
    return undefined;
  }
}
