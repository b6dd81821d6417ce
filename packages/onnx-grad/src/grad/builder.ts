import { EnvisionError } from '../errors.js';
import type { NamedTensors } from '../model.js';
import { attrFloat, attrInt, attrInts, attrString, attrTensor } from '../onnx/attr.js';
import { makeGraph, makeModel, makeTensorValueInfo } from '../onnx/build.js';
import { DataType, tensorFromProto } from '../onnx/tensor-proto.js';
import type { GraphProto, ModelProto, NodeProto, TensorProto, ValueInfoProto } from '../onnx/types.js';
import { GraphEmitter } from './emitter.js';
import { BatchLayout } from './layout.js';
import { probeValues } from './probe.js';
import { NON_DIFFERENTIABLE_OPS, type GradientRule, type RuleContext } from './rule.js';
import type { RuleRegistry } from './rule-registry.js';

/** What the builder learns about a forward graph before emitting anything; independent of K and B. */
export interface GraphAnalysis {
  readonly graph: GraphProto;
  /** Version of the default operator set. */
  readonly opset: number;
  readonly initializers: ReadonlyMap<string, TensorProto>;
  /** Outputs of `Constant` nodes, with their values. */
  readonly constants: ReadonlyMap<string, TensorProto>;
  /** Graph inputs that are not initializers. */
  readonly graphInputs: ReadonlySet<string>;
  /** Values computed from `wrt`. */
  readonly fromWrt: ReadonlySet<string>;
  /** Nodes on a path from `wrt` to `of`, in graph order. */
  readonly active: readonly NodeProto[];
  readonly layout: BatchLayout;
  /** Bytes of the probed float values for one batch item: a measure of the memory one cotangent row needs. */
  readonly bytesPerItem: number;
  /**
   * False when the model cannot run at batch 2 (a fixed batch of 1): its gradient models then run one image and one
   * cotangent row per call.
   */
  readonly batchable: boolean;
}

/**
 * Finds the nodes between `wrt` and `of` and probes the values they read and write (shapes at batch 1 and 2,
 * integer contents), which fixes every shape of the backward pass for any K and B.
 * @throws EnvisionError for an opset below 13 or names the model lacks
 */
export async function analyzeGraph(model: ModelProto, feeds: NamedTensors, wrt: string, of: string): Promise<GraphAnalysis> {
  const graph = model.graph;
  if (graph === undefined) throw new EnvisionError('E_ONNX', 'the model has no graph');
  const opset = model.opset_import.find((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx')?.version ?? 0;
  if (opset < 13) throw new EnvisionError('E_ONNX', `the gradient engine needs ONNX opset 13 or newer, the model uses ${opset}: re-export it`);
  if (!graph.input.some((i) => i.name === wrt)) throw new EnvisionError('E_INPUT', `the model has no input '${wrt}' to differentiate (inputs: ${graph.input.map((i) => i.name).join(', ')})`);
  if (!graph.output.some((o) => o.name === of)) throw new EnvisionError('E_INPUT', `the model has no output '${of}' (outputs: ${graph.output.map((o) => o.name).join(', ')})`);

  const initializers = new Map(graph.initializer.map((t) => [t.name!, t] as const));
  const constants = new Map<string, TensorProto>();
  for (const node of graph.node) if (node.op_type === 'Constant' && findTensorAttr(node)) constants.set(node.output[0]!, findTensorAttr(node)!);
  const graphInputs = new Set(graph.input.map((i) => i.name!).filter((name) => !initializers.has(name)));

  // The nodes on a path from `wrt` to `of`.
  const fromWrt = new Set([wrt]);
  for (const node of graph.node) {
    // Shape, comparisons, ConstantOfShape…: their outputs do not depend differentiably on the input.
    if (!NON_DIFFERENTIABLE_OPS.has(node.op_type ?? '') && node.input.some((i) => fromWrt.has(i))) node.output.forEach((o) => fromWrt.add(o));
  }
  const toOf = new Set([of]);
  for (const node of [...graph.node].reverse()) if (node.output.some((o) => toOf.has(o))) node.input.forEach((i) => toOf.add(i));
  const active = graph.node.filter((node) => node.output.some((o) => toOf.has(o) && fromWrt.has(o)));

  // Probe every value an active node reads or writes.
  const probed = new Set<string>();
  for (const node of active) for (const v of [...node.input, ...node.output]) if (v !== '' && !initializers.has(v) && !graphInputs.has(v) && !constants.has(v)) probed.add(v);
  probed.add(of);
  const { facts, batchable } = await probeValues(model, feeds, [...probed]);
  const layout = new BatchLayout(facts);
  let bytesPerItem = 0;
  for (const name of probed) {
    const f = layout.get(name);
    if (f.dtype === 'float32' || f.dtype === 'float64') bytesPerItem += (f.dtype === 'float32' ? 4 : 8) * f.shape1.reduce((a, d) => a * d, 1);
  }
  return { graph, opset, initializers, constants, graphInputs, fromWrt, active, layout, bytesPerItem, batchable };
}

/** What to differentiate, and at which sizes. */
export interface GradientSpec {
  /** The input to differentiate; batch axis first, `[B, …S]`. */
  readonly wrt: string;
  /** The output explained; batch axis first, `[B, …O]`. */
  readonly of: string;
  /** Cotangent rows per call, K. */
  readonly rows: number;
}

/** The built gradient model and the names of its extra input and outputs. */
export interface GradientModel {
  readonly model: ModelProto;
  /** Input name of the cotangent, float `[K, …O]`. */
  readonly cotangent: string;
  /** Output name of the gradient, float `[B, K, …S]`. */
  readonly gradient: string;
  /** Output name of the explained output (the forward value, `[B, …O]`). */
  readonly output: string;
  /** Forward nodes whose gradient rule ran. */
  readonly differentiatedNodes: number;
}

/** Name of the cotangent input of every gradient model. */
export const COTANGENT_INPUT = 'envision_cotangent';
/** Name of the gradient output of every gradient model. */
export const GRADIENT_OUTPUT = 'envision_gradient';

const FLOAT_TYPES = new Set(['float32', 'float64']);
const REDUCED_FLOATS = new Set(['float16', 'bfloat16']);

/**
 * Builds the vector–Jacobian-product model of a forward ONNX model: inputs are the forward inputs plus the cotangent
 * `[K, …O]`; outputs are `of` and the gradient `[B, K, …S]`, row k being ∂(cotangent_k · of_b)/∂wrt_b. The forward
 * nodes are kept as they are and their values are reused by the backward nodes (never recomputed; tiled K times along
 * the batch when K > 1, except that with one image rules which broadcast forward values get them at batch 1). Shapes are specialised to the feeds' shapes, found by probing the forward model.
 *
 * @param model - the forward model (opset 13 or newer)
 * @param feeds - example feeds with the batch B the gradient model will run at
 * @param spec - `wrt`, `of` and the number of cotangent rows K
 * @param rules - the gradient rules to use
 * @throws EnvisionError `E_ONNX` naming the op and node when a node on the path has no rule or an unsupported attribute
 */
export async function buildGradientModel(
  model: ModelProto,
  feeds: NamedTensors,
  spec: GradientSpec,
  rules: RuleRegistry,
  analysis?: GraphAnalysis,
): Promise<GradientModel> {
  const { graph, opset, initializers, constants, graphInputs, fromWrt, active, layout, batchable } = analysis ?? (await analyzeGraph(model, feeds, spec.wrt, spec.of));
  const { wrt, of, rows: k } = spec;
  const b = feeds[wrt]!.shape[0]!;
  const n = k * b;
  if (!batchable && n > 1) {
    throw new EnvisionError('E_ONNX', `the model cannot run at batch 2 (a fixed batch), so its gradient model takes one image and one cotangent row (got ${b} × ${k})`);
  }

  const dtypeOf = (name: string): string => {
    if (layout.has(name)) return layout.get(name).dtype;
    if (graphInputs.has(name)) return feeds[name]?.dtype ?? 'unknown';
    const t = initializers.get(name) ?? constants.get(name);
    return t === undefined ? 'unknown' : ortName(t.data_type ?? 0);
  };
  const floatType = dtypeOf(of) === 'float64' ? DataType.DOUBLE : DataType.FLOAT;
  const emitter = new GraphEmitter(floatType);

  const shapeAt = (name: string): number[] => {
    if (graphInputs.has(name)) return [n, ...feeds[name]!.shape.slice(1)];
    const t = initializers.get(name) ?? constants.get(name);
    if (t !== undefined) return [...t.dims];
    return layout.shape(name, n);
  };
  const tiled = new Map<string, string>();
  const atBackwardBatch = (name: string): string => {
    if (k === 1 || initializers.has(name) || constants.has(name)) return name;
    const axis = graphInputs.has(name) ? 0 : layout.batchAxis(name);
    if (axis === null) return name;
    let t = tiled.get(name);
    if (t === undefined) {
      const rank = shapeAt(name).length;
      t = emitter.emit('Tile', [name, emitter.ints(Array.from({ length: rank }, (_, i) => (i === axis ? k : 1)))], 1)[0]!;
      tiled.set(name, t);
    }
    return t;
  };
  // With one image, forward values reach rules that broadcast them at batch 1 (see GradientRule.broadcastsForwardValues).
  const forwardValue = (name: string, rule: GradientRule): string => {
    if (b === 1 && k > 1 && rule.broadcastsForwardValues !== undefined && !initializers.has(name) && !constants.has(name)) {
      const axis = graphInputs.has(name) ? 0 : layout.batchAxis(name);
      if (axis === null) return name;
      // Only a batch axis of extent 1 broadcasts against K (not one that merges the batch with windows or heads).
      const one = graphInputs.has(name) ? feeds[name]!.shape : layout.shape(name, 1);
      if (one[axis] === 1 && (rule.broadcastsForwardValues === 'elementwise' || axis < one.length - 2)) return name;
    }
    return atBackwardBatch(name);
  };
  const constIntsOf = (name: string): number[] | undefined => {
    const t = initializers.get(name) ?? constants.get(name);
    if (t !== undefined) {
      const v = tensorFromProto(t);
      return v.dtype === 'int64' ? Array.from(v.data as BigInt64Array, Number) : undefined;
    }
    return layout.has(name) ? layout.ints(name, n) : undefined;
  };
  const constFloatsOf = (name: string): number[] | undefined => {
    const t = initializers.get(name) ?? constants.get(name);
    if (t === undefined) return undefined;
    const v = tensorFromProto(t);
    return v.dtype === 'int64' ? undefined : Array.from(v.data as Float32Array);
  };
  const differentiable = (name: string): boolean => {
    if (name === '' || !fromWrt.has(name)) return false;
    const dtype = dtypeOf(name);
    if (REDUCED_FLOATS.has(dtype)) {
      throw new EnvisionError('E_ONNX', `value '${name}' on the path from '${wrt}' is ${dtype}: the gradient engine supports float32 and float64 only (export the model in float32)`);
    }
    return FLOAT_TYPES.has(dtype);
  };

  // Seed: the cotangent rows, repeated for each of the B images, row-major in K: [K·B, …O].
  const outShape = layout.shape(of, 1).slice(1);
  const contributions = new Map<string, string[]>();
  const addGrad = (name: string, g: string) => contributions.set(name, [...(contributions.get(name) ?? []), g]);
  let seed = COTANGENT_INPUT;
  if (b > 1) {
    const expanded = emitter.emit('Expand', [emitter.emit('Unsqueeze', [COTANGENT_INPUT, emitter.ints([1])], 1)[0]!, emitter.ints([k, b, ...outShape])], 1)[0]!;
    seed = reshape(emitter, expanded, [n, ...outShape], opset);
  }
  addGrad(of, seed);
  // Cotangents that are blocks placed in zeros (RuleContext.placed), by the name of their padded form.
  const placements = new Map<string, Placement>();
  const gradOf = (name: string): string | undefined => {
    const parts = contributions.get(name);
    if (parts === undefined || parts.length === 0) return undefined;
    if (parts.length === 1) return parts[0];
    const blocks = tiling(parts, placements);
    let sum: string;
    if (blocks !== undefined) {
      for (const part of parts) emitter.remove(part);
      sum = emitter.emit('Concat', blocks.map((p) => p.block), 1, { axis: BigInt(blocks[0]!.axis) })[0]!;
    } else {
      // (a chain of Adds, in order: the same sums as one Sum, and onnxruntime's Add is about 25 % faster)
      sum = parts.slice(1).reduce((acc, part) => emitter.emit('Add', [acc, part], 1)[0]!, parts[0]!);
    }
    contributions.set(name, [sum]);
    return sum;
  };

  const unsqueezed = new Map<string, string>();
  let differentiatedNodes = 0;
  for (const node of [...active].reverse()) {
    const outGrads = node.output.map((o) => (o === '' ? undefined : gradOf(o)));
    if (outGrads.every((g) => g === undefined)) continue;
    const opType = node.op_type ?? '';
    if (NON_DIFFERENTIABLE_OPS.has(opType)) continue;
    if ((node.domain ?? '') !== '' && node.domain !== 'ai.onnx') {
      throw new EnvisionError('E_ONNX', `no gradient rule for op ${node.domain}.${opType} (node '${node.name ?? '?'}'); perturbation methods (occlusion) still work`);
    }
    const rule = rules.get(opType);
    if (rule === undefined) {
      throw new EnvisionError('E_ONNX', `no gradient rule for op ${opType} (node '${node.name ?? '?'}'); perturbation methods (occlusion) still work`);
    }
    const access: BuilderAccess = { forwardValue, shapeAt, constIntsOf, constFloatsOf, differentiable, dtypeOf, placements };
    const lifted = b === 1 && k > 1 ? liftMergedBatch(node, rule, k, layout, emitter, opset, access, unsqueezed) : undefined;
    const ctx = ruleContext(node, rule, opset, lifted?.grads(outGrads) ?? outGrads, emitter, lifted?.access ?? access);
    const computed = rule.backward(ctx);
    const inGrads = lifted === undefined ? computed : lifted.back(computed);
    differentiatedNodes++;
    node.input.forEach((name, i) => {
      const g = inGrads[i];
      if (g !== undefined && differentiable(name)) addGrad(name, g);
    });
  }

  // The gradient of `wrt`, [K·B, …S] → [B, K, …S].
  const inShape = feeds[wrt]!.shape.slice(1);
  let gradient = gradOf(wrt);
  if (gradient === undefined) {
    gradient = emitter.emit('ConstantOfShape', [emitter.ints([n, ...inShape])], 1, { value: zeroTensor(feeds[wrt]!.dtype === 'float64' ? DataType.DOUBLE : DataType.FLOAT) })[0]!;
  }
  if (b === 1) {
    emitter.emit('Reshape', [gradient, emitter.ints([1, k, ...inShape])], 1, allowZero([1, k, ...inShape], opset), [GRADIENT_OUTPUT]);
  } else {
    const split = reshape(emitter, gradient, [k, b, ...inShape], opset);
    emitter.emit('Transpose', [split], 1, { perm: [1n, 0n, ...inShape.map((_, i) => BigInt(i + 2))] }, [GRADIENT_OUTPUT]);
  }

  const inputs: ValueInfoProto[] = [
    ...graph.input.filter((i) => graphInputs.has(i.name!)).map((i) => specialise(i, feeds[i.name!]?.shape)),
    makeTensorValueInfo(COTANGENT_INPUT, floatType, [k, ...outShape]),
  ];
  const wrtType = feeds[wrt]!.dtype === 'float64' ? DataType.DOUBLE : DataType.FLOAT;
  const outputs = [graph.output.find((o) => o.name === of)!, makeTensorValueInfo(GRADIENT_OUTPUT, wrtType, [b, k, ...inShape])];
  const used = new Set(emitter.nodes.flatMap((node) => node.input));
  const built = makeModel(
    makeGraph(
      [...graph.node, ...emitter.nodes],
      `${graph.name ?? 'model'}_vjp`,
      inputs,
      outputs,
      [...graph.initializer, ...emitter.initializers.filter((t) => used.has(t.name!))],
    ),
    model.opset_import,
    model.ir_version ?? 8,
  );
  return { model: built, cotangent: COTANGENT_INPUT, gradient: GRADIENT_OUTPUT, output: of, differentiatedNodes };
}

/**
 * With one image and K > 1 rows, a rule that broadcasts forward values (GradientRule.broadcastsForwardValues) over a
 * node whose values carry the batch merged with another axis (Swin's windows: [B·nW, heads, 49, 32]) sees them lifted
 * by one leading axis: forward values at batch 1 as `[1, m, …]`, cotangents as `[K, m, …]`, so that they broadcast
 * against K rows instead of being tiled K times; its input cotangents are reshaped back to `[K·m, …]`. Undefined when
 * the node has no such value, values of different extents, a value batched on another axis, or a non-negative `axis`
 * attribute (which a leading axis would shift).
 */
function liftMergedBatch(
  node: NodeProto,
  rule: GradientRule,
  k: number,
  layout: BatchLayout,
  emitter: GraphEmitter,
  opset: number,
  access: BuilderAccess,
  unsqueezed: Map<string, string>,
): { access: BuilderAccess; grads(outGrads: (string | undefined)[]): (string | undefined)[]; back(inGrads: (string | undefined)[]): (string | undefined)[] } | undefined {
  if (rule.broadcastsForwardValues === undefined) return undefined;
  if ((node.attribute ?? []).some((a) => a.name === 'axis' && Number(a.i ?? 0) >= 0)) return undefined;
  const merged = new Map<string, number[]>(); // name → shape at batch 1
  for (const name of [...node.input, ...node.output]) {
    if (name === '' || !layout.has(name)) continue;
    const axis = layout.batchAxis(name);
    if (axis === null) continue;
    const one = layout.shape(name, 1);
    if (axis !== 0 || one[0]! < 2) return undefined;
    merged.set(name, one);
  }
  const extents = new Set([...merged.values()].map((s) => s[0]));
  if (merged.size === 0 || extents.size !== 1) return undefined;
  // (every cotangent in or out must be one of them: a differentiable input, or an output, without the batch is not)
  if (node.input.some((name) => name !== '' && access.differentiable(name) && !merged.has(name))) return undefined;
  if (node.output.some((name) => name !== '' && !merged.has(name))) return undefined;
  const liftedShape = (name: string) => [k, ...merged.get(name)!];
  return {
    access: {
      ...access,
      shapeAt: (name) => (merged.has(name) ? liftedShape(name) : access.shapeAt(name)),
      forwardValue: (name, r) => {
        if (!merged.has(name)) return access.forwardValue(name, r);
        let v = unsqueezed.get(name);
        if (v === undefined) {
          v = emitter.emit('Unsqueeze', [name, emitter.ints([0])], 1)[0]!;
          unsqueezed.set(name, v);
        }
        return v;
      },
    },
    grads: (outGrads) => outGrads.map((g, i) => (g === undefined ? g : reshape(emitter, g, liftedShape(node.output[i]!), opset))),
    back: (inGrads) =>
      inGrads.map((g, i) => {
        const name = node.input[i];
        if (g === undefined || name === undefined || !merged.has(name)) return g;
        const [, m, ...rest] = liftedShape(name);
        return reshape(emitter, g, [k * m!, ...rest], opset);
      }),
  };
}

/** A cotangent that is a block of another placed in zeros along one axis (see RuleContext.placed). */
interface Placement {
  readonly block: string;
  readonly axis: number;
  readonly start: number;
  readonly length: number;
  readonly extent: number;
}

/**
 * The blocks of `parts`, ordered along their axis, when every part is a placed block along the same axis and they
 * cover it exactly once (their sum is then their concatenation); else undefined.
 */
function tiling(parts: readonly string[], placements: ReadonlyMap<string, Placement>): Placement[] | undefined {
  const blocks = parts.map((p) => placements.get(p));
  if (blocks.some((p) => p === undefined) || new Set(parts).size !== parts.length) return undefined;
  const sorted = (blocks as Placement[]).slice().sort((p, q) => p.start - q.start);
  let next = 0;
  for (const p of sorted) {
    if (p.axis !== sorted[0]!.axis || p.extent !== sorted[0]!.extent || p.start !== next) return undefined;
    next += p.length;
  }
  return next === sorted[0]!.extent ? sorted : undefined;
}

interface BuilderAccess {
  placements: Map<string, Placement>;
  forwardValue(name: string, rule: GradientRule): string;
  shapeAt(name: string): number[];
  constIntsOf(name: string): number[] | undefined;
  constFloatsOf(name: string): number[] | undefined;
  differentiable(name: string): boolean;
  dtypeOf(name: string): string;
}

function ruleContext(
  node: NodeProto,
  rule: GradientRule,
  opset: number,
  outGrads: (string | undefined)[],
  emitter: GraphEmitter,
  access: BuilderAccess,
): RuleContext {
  const where = `gradient of ${rule.opType} (node '${node.name ?? '?'}')`;
  const inputName = (i: number): string => {
    const name = node.input[i];
    if (name === undefined || name === '') throw new EnvisionError('E_ONNX', `${where}: input ${i} is missing`);
    return name;
  };
  const fail = (message: string): never => {
    throw new EnvisionError('E_ONNX', `${where}: ${message}`);
  };
  const guard = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof EnvisionError) throw e;
      return fail(e instanceof Error ? e.message : String(e));
    }
  };
  const firstFloat = node.input.map((name) => (name === '' ? 'none' : access.dtypeOf(name))).find((t) => FLOAT_TYPES.has(t));
  const nodeFloatType = firstFloat === 'float64' ? DataType.DOUBLE : firstFloat === 'float32' ? DataType.FLOAT : emitter.floatType;
  const ctx: RuleContext = {
    node,
    opset,
    inputCount: node.input.length,
    hasInput: (i) => node.input[i] !== undefined && node.input[i] !== '',
    input: (i) => access.forwardValue(inputName(i), rule),
    output: (i) => access.forwardValue(node.output[i]!, rule),
    inputShape: (i) => access.shapeAt(inputName(i)),
    outputShape: (i) => access.shapeAt(node.output[i]!),
    inputType: (i) => dataTypeOfOrt(access.dtypeOf(inputName(i))),
    constInts: (i) => (ctx.hasInput(i) ? access.constIntsOf(inputName(i)) : undefined),
    constFloats: (i) => (ctx.hasInput(i) ? access.constFloatsOf(inputName(i)) : undefined),
    grad: (i = 0) => outGrads[i],
    needsGrad: (i) => ctx.hasInput(i) && access.differentiable(node.input[i]!),
    op: (opType, inputs, attributes) => emitter.emit(opType, inputs, 1, attributes)[0]!,
    ops: (opType, inputs, count, attributes) => emitter.emit(opType, inputs, count, attributes),
    ints: (values, shape) => emitter.ints(values, shape),
    floats: (values, shape) => emitter.floats(values, shape, nodeFloatType),
    unbroadcast: (g, from, to) => unbroadcast(emitter, g, from, to, opset),
    placed: (g, axis, start, length, shape) => {
      if (start === 0 && length === shape[axis]) return g;
      const pads = Array<number>(2 * shape.length).fill(0);
      pads[axis] = start;
      pads[shape.length + axis] = shape[axis]! - start - length;
      const out = emitter.emit('Pad', [g, emitter.ints(pads)], 1)[0]!;
      access.placements.set(out, { block: g, axis, start, length, extent: shape[axis]! });
      return out;
    },
    attrInt: (name, fallback) => guard(() => attrInt(node, name, fallback)),
    attrInts: (name, fallback) => guard(() => attrInts(node, name, fallback)),
    attrFloat: (name, fallback) => guard(() => attrFloat(node, name, fallback)),
    attrString: (name, fallback) => guard(() => attrString(node, name, fallback)),
    fail,
  };
  return ctx;
}

/** Sums `g` (shape `from`) over the axes along which a value of shape `to` was broadcast, and reshapes to `to`. */
function unbroadcast(emitter: GraphEmitter, g: string, from: readonly number[], to: readonly number[], opset: number): string {
  if (from.length === to.length && from.every((d, i) => d === to[i])) return g;
  const padded = [...Array<number>(from.length - to.length).fill(1), ...to];
  const axes = from.map((d, i) => (padded[i] === 1 && d !== 1 ? i : -1)).filter((i) => i >= 0);
  const summed = axes.length === 0 ? g : emitter.emit('ReduceSum', [g, emitter.ints(axes)], 1, { keepdims: 1n })[0]!;
  return reshape(emitter, summed, to, opset);
}

/** Reshape to a concrete shape; a 0 in it means an empty axis (`allowzero`), not "copy the input's dimension". */
function reshape(emitter: GraphEmitter, value: string, shape: readonly number[], opset: number): string {
  return emitter.emit('Reshape', [value, emitter.ints(shape)], 1, allowZero(shape, opset))[0]!;
}

function allowZero(shape: readonly number[], opset: number): { allowzero?: bigint } {
  return shape.includes(0) && opset >= 14 ? { allowzero: 1n } : {};
}

function findTensorAttr(node: NodeProto): TensorProto | undefined {
  try {
    return attrTensor(node, 'value');
  } catch {
    return undefined;
  }
}

function specialise(info: ValueInfoProto, shape: readonly number[] | undefined): ValueInfoProto {
  const elem = info.type?.tensor_type?.elem_type;
  if (shape === undefined || elem === undefined) return info;
  return makeTensorValueInfo(info.name!, elem, shape);
}

function zeroTensor(floatType: number): TensorProto {
  return { dims: [1], data_type: floatType, float_data: [], int32_data: [], string_data: [], int64_data: [], external_data: [], double_data: [], uint64_data: [], metadata_props: [], raw_data: new Uint8Array(floatType === DataType.DOUBLE ? 8 : 4) };
}

function ortName(dataType: number): string {
  const names: Record<number, string> = { [DataType.FLOAT]: 'float32', [DataType.DOUBLE]: 'float64', [DataType.INT64]: 'int64', [DataType.INT32]: 'int32', [DataType.BOOL]: 'bool' };
  return names[dataType] ?? `type${dataType}`;
}

function dataTypeOfOrt(name: string): number {
  const codes: Record<string, number> = { float32: DataType.FLOAT, float64: DataType.DOUBLE, int64: DataType.INT64, int32: DataType.INT32, bool: DataType.BOOL };
  return codes[name] ?? 0;
}
