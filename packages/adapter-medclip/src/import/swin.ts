/**
 * Builds the ONNX graph of MedCLIP's Swin vision tower (HF `SwinModel` → `pooler_output` → bias-free projection) from
 * a PyTorch state dict, without Python. Every shape but the batch is static at the chosen image size, so the
 * cyclic shifts, paddings and window partitions are single constant-index Gathers, and the shift masks and gathered
 * relative position biases are constant initializers.
 *
 * @packageDocumentation
 */
import { EnvisionError, tensor } from '@envision/core';
import { gatherBias, isIdentity, mergeIndex, partitionIndex, planStages, reverseIndex, shiftMask } from './swin-layout.js';
import type { StateDict } from '@envision/import';
import { type LinearWeights, type SwinBlockWeights, readSwinSpec } from './swin-spec.js';
import { type AttributeInput, DataType, type ModelProto, type NodeProto, type TensorProto, makeGraph, makeModel, makeNode, makeTensorValueInfo, tensorToProto } from '@envision/onnx-grad';

/** Options of {@link buildSwinVision}. */
export interface SwinVisionOptions {
  /** Key prefix of the HF `SwinModel` in the state dict, e.g. `vision_model.model.`. */
  readonly prefix: string;
  /** Full key of the bias-free projection head weight `[M, C_final]`, e.g. `vision_model.projection_head.weight`. */
  readonly projection: string;
  /** The square input side the graph is built for (MedCLIP: 224). */
  readonly imageSize: number;
}

/** LayerNorm epsilon of HF Swin (`layer_norm_eps`). */
const LN_EPS = 1e-5;
/** The ONNX opset the graph is written for. */
const OPSET = 17;

/** A small append-only graph under construction. */
class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly intConsts = new Map<string, string>();

  /** Adds one node with one output named `out`; returns `out`. */
  op(type: string, inputs: readonly string[], out: string, attrs: Readonly<Record<string, AttributeInput>> = {}): string {
    this.nodes.push(makeNode(type, inputs, [out], attrs, out));
    return out;
  }

  /** Adds a float32 initializer. */
  floats(name: string, shape: readonly number[], data: Float32Array): string {
    this.initializers.push(tensorToProto(name, tensor('float32', shape, data)));
    return name;
  }

  /** A 1-D int64 initializer, shared between equal contents. */
  ints(values: readonly number[]): string {
    const key = values.join(',');
    const known = this.intConsts.get(key);
    if (known !== undefined) return known;
    const name = `const.i64.${this.intConsts.size}`;
    this.initializers.push(tensorToProto(name, tensor('int64', [values.length], BigInt64Array.from(values, (v) => BigInt(v)))));
    this.intConsts.set(key, name);
    return name;
  }

  /** HF's shift mask for a padded map, `[nW, 1, w², w²]` (broadcast over the heads), shared by the blocks using it. */
  shiftMask(padded: number, window: number, shift: number): string {
    const name = `shift_mask.${padded}.${window}.${shift}`;
    if (!this.initializers.some((t) => t.name === name)) {
      this.floats(name, [(padded / window) ** 2, 1, window * window, window * window], shiftMask(padded, window, shift));
    }
    return name;
  }

  /** A float32 scalar initializer. */
  scalar(name: string, v: number): string {
    return this.floats(name, [], Float32Array.of(v));
  }
}

/** `[out, in]` row-major → `[in, out]` row-major, each entry times `scale`. */
function transposed(w: LinearWeights, scale = 1): Float32Array {
  const t = new Float32Array(w.out * w.in);
  for (let o = 0; o < w.out; o++) for (let i = 0; i < w.in; i++) t[i * w.out + o] = w.weight[o * w.in + i]! * scale;
  return t;
}

/** x · Wᵀ (+ b) for a Linear layer; the scale multiplies weight and bias. */
function linear(g: GraphBuilder, x: string, w: LinearWeights, name: string, scale = 1): string {
  const y = g.op('MatMul', [x, g.floats(`${name}.weight_t`, [w.in, w.out], transposed(w, scale))], `${name}.matmul`);
  if (w.bias === undefined) return y;
  const bias = scale === 1 ? w.bias : w.bias.map((v) => v * scale);
  return g.op('Add', [y, g.floats(`${name}.bias`, [w.out], bias)], `${name}.out`);
}

function layerNorm(g: GraphBuilder, x: string, p: { weight: Float32Array; bias: Float32Array }, name: string): string {
  const n = p.weight.length;
  return g.op('LayerNormalization', [x, g.floats(`${name}.weight`, [n], p.weight), g.floats(`${name}.bias`, [n], p.bias)], `${name}.out`, {
    axis: -1n,
    epsilon: LN_EPS,
  });
}

/** Exact GELU: x · ½ · (1 + erf(x / √2)). */
function gelu(g: GraphBuilder, x: string, name: string): string {
  const e = g.op('Erf', [g.op('Mul', [x, g.scalar(`${name}.rsqrt2`, Math.SQRT1_2)], `${name}.scaled`)], `${name}.erf`);
  const half = g.op('Mul', [x, g.scalar(`${name}.half`, 0.5)], `${name}.halfx`);
  return g.op('Mul', [half, g.op('Add', [e, g.scalar(`${name}.one`, 1)], `${name}.onepluserf`)], `${name}.out`);
}

/** Zero tokens appended along axis 1 of `[B, L, C]`. */
function padTokens(g: GraphBuilder, x: string, extra: number, name: string): string {
  if (extra === 0) return x;
  return g.op('Pad', [x, g.ints([0, 0, 0, 0, extra, 0])], name, { mode: 'constant' });
}

/** Static facts of one block at the chosen image size. */
interface BlockLayout {
  readonly resolution: number;
  readonly window: number;
  readonly shift: number;
  readonly padded: number;
  readonly dim: number;
  readonly heads: number;
}

/** One HF SwinLayer on `x` `[B, R², C]`. */
function swinBlock(g: GraphBuilder, x: string, w: SwinBlockWeights, l: BlockLayout, name: string): string {
  const { resolution: r, window: win, shift, padded: rp, dim: c, heads } = l;
  const n = win * win;
  const nW = (rp / win) ** 2;
  const d = c / heads;

  // layernorm_before, zero padding (after the norm), cyclic shift and window partition: one Gather.
  let y = layerNorm(g, x, w.normBefore, `${name}.layernorm_before`);
  y = padTokens(g, y, rp * rp - r * r, `${name}.pad`);
  const part = partitionIndex(r, rp, win, shift);
  if (!isIdentity(part, rp * rp)) y = g.op('Gather', [y, g.ints(part)], `${name}.partition`, { axis: 1n });
  y = g.op('Reshape', [y, g.ints([0, nW, n, c])], `${name}.windows`); // [B, nW, N, C]

  // Window attention, [B, nW, heads, N, d]; the 1/√d scale is folded into the query weights.
  const split = (t: string, perm: readonly bigint[], label: string): string =>
    g.op('Transpose', [g.op('Reshape', [t, g.ints([0, nW, n, heads, d])], `${name}.${label}.heads`)], `${name}.${label}.t`, { perm });
  const q = split(linear(g, y, w.query, `${name}.attention.self.query`, 1 / Math.sqrt(d)), [0n, 1n, 3n, 2n, 4n], 'q');
  const k = split(linear(g, y, w.key, `${name}.attention.self.key`), [0n, 1n, 3n, 4n, 2n], 'k'); // [B, nW, h, d, N]
  const v = split(linear(g, y, w.value, `${name}.attention.self.value`), [0n, 1n, 3n, 2n, 4n], 'v');
  let scores = g.op('MatMul', [q, k], `${name}.scores`); // [B, nW, h, N, N]
  const bias = gatherBias(w.biasTable, w.positionIndex, heads, n);
  scores = g.op('Add', [scores, g.floats(`${name}.attention.relative_position_bias`, [heads, n, n], bias)], `${name}.biased`);
  if (shift > 0) scores = g.op('Add', [scores, g.shiftMask(rp, win, shift)], `${name}.masked`); // then HF's −100 mask
  const probs = g.op('Softmax', [scores], `${name}.probs`, { axis: -1n });
  const ctx = g.op('MatMul', [probs, v], `${name}.context`); // [B, nW, h, N, d]
  const merged = g.op('Transpose', [ctx], `${name}.context.t`, { perm: [0n, 1n, 3n, 2n, 4n] }); // [B, nW, N, h, d]
  let a = g.op('Reshape', [merged, g.ints([0, nW * n, c])], `${name}.context.flat`);

  // Window reverse, reverse shift and crop: one Gather; then the output projection and the residual.
  const back = reverseIndex(r, rp, win, shift);
  if (!isIdentity(back, rp * rp)) a = g.op('Gather', [a, g.ints(back)], `${name}.unpartition`, { axis: 1n });
  a = linear(g, a, w.attnOut, `${name}.attention.output.dense`);
  const h1 = g.op('Add', [x, a], `${name}.residual1`);

  // MLP
  let z = layerNorm(g, h1, w.normAfter, `${name}.layernorm_after`);
  z = gelu(g, linear(g, z, w.fc1, `${name}.intermediate.dense`), `${name}.gelu`);
  z = linear(g, z, w.fc2, `${name}.output.dense`);
  return g.op('Add', [h1, z], `${name}.residual2`);
}

function bundleError(message: string): EnvisionError {
  return new EnvisionError('E_BUNDLE', `Swin checkpoint: ${message}`);
}

/**
 * Builds MedCLIP's Swin image encoder as an ONNX model (opset 17): input `pixel_values` float32
 * `[batch, inChannels, imageSize, imageSize]` (dynamic batch; 3 channels for MedCLIP), output `image_embeds` float32
 * `[batch, M]`, the unnormalised projected embedding. Semantics are HuggingFace `SwinModel` (eval mode) followed by
 * `pooler_output` (the token mean after the final LayerNorm) and the bias-free projection head: pixels zero-padded to
 * a multiple of the patch size; patch convolution, LayerNorm; per block LayerNorm, window attention with relative
 * position bias (shifted by ⌊w/2⌋ on odd blocks with HF's −100 region mask, unshifted with window = resolution
 * when the map is not wider than the window, zero-padded but unmasked maps otherwise), residual, LayerNorm, exact
 * GELU MLP, residual; patch merging in the order (0,0), (1,0), (0,1), (1,1), LayerNorm, bias-free reduction;
 * LayerNorm eps 1e-5 throughout. All sizes are read from the weights.
 * @param weights - the state dict as the checkpoint reader returns it (float32 weights, int64 `relative_position_index`)
 * @param options - the SwinModel key prefix, the projection key and the image size
 * @returns the ModelProto
 * @throws EnvisionError `E_BUNDLE` naming the key when one is missing, unexpected (under the prefix but unused),
 *   not floating point or of the wrong shape; or when the image size is too small for the window
 */
export function buildSwinVision(weights: StateDict, options: SwinVisionOptions): ModelProto {
  const { prefix, projection, imageSize } = options;
  if (!Number.isSafeInteger(imageSize) || imageSize < 1) throw bundleError(`image size ${imageSize} is not a positive integer`);
  const spec = readSwinSpec(weights, prefix, projection);
  let plans;
  try {
    plans = planStages(imageSize, spec.patchSize, spec.windowSize, spec.stages.length);
  } catch (e) {
    throw new EnvisionError('E_BUNDLE', `Swin checkpoint: ${(e as Error).message}`, e);
  }
  const g = new GraphBuilder();
  const p = spec.patchSize;
  const c0 = spec.embedDim;

  // Embeddings: zero-pad right/bottom to a multiple of the patch (Conv pads), patch conv, tokens, LayerNorm.
  const grid = Math.ceil(imageSize / p);
  const extra = grid * p - imageSize;
  const conv = g.op(
    'Conv',
    [
      'pixel_values',
      g.floats('embeddings.patch_embeddings.projection.weight', [c0, spec.inChannels, p, p], spec.patchWeight),
      g.floats('embeddings.patch_embeddings.projection.bias', [c0], spec.patchBias),
    ],
    'embeddings.conv',
    { kernel_shape: [BigInt(p), BigInt(p)], strides: [BigInt(p), BigInt(p)], pads: [0n, 0n, BigInt(extra), BigInt(extra)] },
  );
  const flat = g.op('Reshape', [conv, g.ints([0, c0, grid * grid])], 'embeddings.flat');
  const tokens = g.op('Transpose', [flat], 'embeddings.tokens', { perm: [0n, 2n, 1n] });
  let x = layerNorm(g, tokens, spec.embedNorm, 'embeddings.norm');

  spec.stages.forEach((stage, i) => {
    const plan = plans[i]!;
    stage.blocks.forEach((block, j) => {
      const shift = j % 2 === 1 ? plan.shift : 0;
      x = swinBlock(g, x, block, { ...plan, shift, dim: stage.dim, heads: stage.heads }, `encoder.layers.${i}.blocks.${j}`);
    });
    if (stage.downsample !== undefined) {
      const r = plan.resolution;
      const half = Math.ceil(r / 2);
      const name = `encoder.layers.${i}.downsample`;
      let y = padTokens(g, x, 4 * half * half - r * r, `${name}.pad`);
      y = g.op('Gather', [y, g.ints(mergeIndex(r))], `${name}.neighbours`, { axis: 1n });
      y = g.op('Reshape', [y, g.ints([0, half * half, 4 * stage.dim])], `${name}.concat`);
      y = layerNorm(g, y, stage.downsample.norm, `${name}.norm`);
      x = linear(g, y, stage.downsample.reduction, `${name}.reduction`);
    }
  });

  x = layerNorm(g, x, spec.finalNorm, 'layernorm');
  const pooled = g.op('ReduceMean', [x], 'pooler_output', { axes: [1n], keepdims: 0n });
  const proj = spec.projection;
  g.nodes.push(makeNode('MatMul', [pooled, g.floats('projection_head.weight_t', [proj.in, proj.out], transposed(proj))], ['image_embeds'], {}, 'projection_head'));

  const graph = makeGraph(
    g.nodes,
    'medclip_swin_vision',
    [makeTensorValueInfo('pixel_values', DataType.FLOAT, ['batch', spec.inChannels, imageSize, imageSize])],
    [makeTensorValueInfo('image_embeds', DataType.FLOAT, ['batch', proj.out])],
    g.initializers,
  );
  return makeModel(graph, { '': OPSET });
}
