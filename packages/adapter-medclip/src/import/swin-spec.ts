import { EnvisionError, type Tensor } from '@envision/core';
import type { StateDict } from '@envision/import';

/** The weights of one Swin block (HF `SwinLayer`), as stored (Linear weights `[out, in]`). */
export interface SwinBlockWeights {
  /** `layernorm_before.weight` / `.bias`, `[C]`. */
  readonly normBefore: { readonly weight: Float32Array; readonly bias: Float32Array };
  /** `attention.self.query.weight` `[C, C]` and `.bias` `[C]`. */
  readonly query: LinearWeights;
  /** `attention.self.key.*`. */
  readonly key: LinearWeights;
  /** `attention.self.value.*`. */
  readonly value: LinearWeights;
  /** `attention.self.relative_position_bias_table`, `[(2w−1)², heads]`. */
  readonly biasTable: Float32Array;
  /** `attention.self.relative_position_index`, `[w², w²]`, validated integers into the table. */
  readonly positionIndex: Int32Array;
  /** `attention.output.dense.*`. */
  readonly attnOut: LinearWeights;
  /** `layernorm_after.*`. */
  readonly normAfter: { readonly weight: Float32Array; readonly bias: Float32Array };
  /** `intermediate.dense.*`, `[hidden, C]`. */
  readonly fc1: LinearWeights;
  /** `output.dense.*`, `[C, hidden]`. */
  readonly fc2: LinearWeights;
  /** The MLP width (rows of `intermediate.dense.weight`). */
  readonly hidden: number;
}

/** A Linear layer as stored: `weight` `[out, in]` row-major, `bias` `[out]` or absent. */
export interface LinearWeights {
  /** Rows of the weight. */
  readonly out: number;
  /** Columns of the weight. */
  readonly in: number;
  /** The weight, `[out, in]` row-major. */
  readonly weight: Float32Array;
  /** The bias, when the layer has one. */
  readonly bias?: Float32Array;
}

/** One Swin stage: its blocks and, except for the last stage, the patch merging. */
export interface SwinStageWeights {
  /** Channels of the stage (embed · 2^i). */
  readonly dim: number;
  /** Attention heads (second dim of the bias tables). */
  readonly heads: number;
  /** The blocks, in order. */
  readonly blocks: readonly SwinBlockWeights[];
  /** `downsample.norm.*` (`[4C]`) and `downsample.reduction.weight` (`[2C, 4C]`), absent for the last stage. */
  readonly downsample?: { readonly norm: { readonly weight: Float32Array; readonly bias: Float32Array }; readonly reduction: LinearWeights };
}

/** A Swin vision tower read from a state dict: the sizes (all derived from the weight shapes) and the weights. */
export interface SwinSpec {
  /** Input channels of the patch convolution (3 for MedCLIP). */
  readonly inChannels: number;
  /** Embedding width C (output channels of the patch convolution). */
  readonly embedDim: number;
  /** Patch size (the square kernel and stride of the patch convolution). */
  readonly patchSize: number;
  /** The configured window size w (from the bias tables' (2w−1)² rows). */
  readonly windowSize: number;
  /** `embeddings.patch_embeddings.projection.weight` `[C, inChannels, P, P]`. */
  readonly patchWeight: Float32Array;
  /** `embeddings.patch_embeddings.projection.bias` `[C]`. */
  readonly patchBias: Float32Array;
  /** `embeddings.norm.*`. */
  readonly embedNorm: { readonly weight: Float32Array; readonly bias: Float32Array };
  /** The stages. */
  readonly stages: readonly SwinStageWeights[];
  /** The final `layernorm.*`, `[C · 2^(stages−1)]`. */
  readonly finalNorm: { readonly weight: Float32Array; readonly bias: Float32Array };
  /** The bias-free projection head, `[M, C · 2^(stages−1)]`. */
  readonly projection: LinearWeights;
}

function bundleError(message: string): EnvisionError {
  return new EnvisionError('E_BUNDLE', `Swin checkpoint: ${message}`);
}

const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/**
 * Reads a HuggingFace `SwinModel` (as MedCLIP saves it) out of a state dict (as the checkpoint reader returns it:
 * weights float32, `relative_position_index` int64). Every size comes from the weights:
 * embed dim and patch size from the patch convolution, depths from the block indices present, heads and the window
 * size from the relative-position-bias tables, the MLP width from `intermediate.dense.weight`.
 * @param weights - the state dict
 * @param prefix - the key prefix of the SwinModel, e.g. `vision_model.model.`
 * @param projection - the full key of the bias-free projection head weight
 * @returns the sizes and weights
 * @throws EnvisionError `E_BUNDLE` naming the key when one is missing, unexpected (under `prefix` but not read),
 *   not floating point (an integer where a weight belongs), of the wrong shape, or when a relative position index is out of range
 */
export function readSwinSpec(weights: StateDict, prefix: string, projection: string): SwinSpec {
  const used = new Set<string>();
  const tensorAt = (key: string, shape?: readonly (number | null)[]) => {
    const t = weights.get(key);
    if (t === undefined) throw bundleError(`missing key '${key}'${shape === undefined ? '' : ` (expected shape ${fmt(shape.map((d) => d ?? -1))})`}`);
    if (shape !== undefined && (t.shape.length !== shape.length || shape.some((d, i) => d !== null && d !== t.shape[i]))) {
      throw bundleError(`'${key}' has shape ${fmt(t.shape)}, expected ${fmt(shape.map((d) => d ?? -1))}`);
    }
    used.add(key);
    return t;
  };
  const get = (key: string, shape?: readonly (number | null)[]): Tensor<'float32'> => {
    const t = tensorAt(key, shape);
    if (t.dtype !== 'float32') throw bundleError(`'${key}' must be floating point, got ${String(t.dtype)}`);
    return t as Tensor<'float32'>;
  };
  const norm = (key: string, dim: number) => ({ weight: get(`${key}.weight`, [dim]).data, bias: get(`${key}.bias`, [dim]).data });
  const linear = (key: string, out: number | null, inp: number, bias = true): LinearWeights => {
    const w = get(`${key}.weight`, [out, inp]);
    const o = w.shape[0]!;
    return { out: o, in: inp, weight: w.data, ...(bias ? { bias: get(`${key}.bias`, [o]).data } : {}) };
  };

  const patch = get(`${prefix}embeddings.patch_embeddings.projection.weight`, [null, null, null, null]);
  const [embedDim, inChannels, ph, pw] = patch.shape as [number, number, number, number];
  if (ph !== pw) throw bundleError(`'${prefix}embeddings.patch_embeddings.projection.weight' has a non-square ${ph}×${pw} kernel`);
  if (embedDim < 1 || inChannels < 1 || ph < 1) throw bundleError(`'${prefix}embeddings.patch_embeddings.projection.weight' has an empty shape ${fmt(patch.shape)}`);
  const patchBias = get(`${prefix}embeddings.patch_embeddings.projection.bias`, [embedDim]).data;
  const embedNorm = norm(`${prefix}embeddings.norm`, embedDim);

  // Depths from the block indices present under the prefix.
  const blockKey = /^encoder\.layers\.(\d+)\.blocks\.(\d+)\./;
  const depths: number[] = [];
  for (const key of weights.keys()) {
    if (!key.startsWith(prefix)) continue;
    const m = blockKey.exec(key.slice(prefix.length));
    if (m === null) continue;
    const i = Number(m[1]);
    const j = Number(m[2]);
    while (depths.length <= i) depths.push(0);
    depths[i] = Math.max(depths[i]!, j + 1);
  }
  if (depths.length === 0) throw bundleError(`no keys '${prefix}encoder.layers.{i}.blocks.{j}.*' (is the prefix right?)`);

  let windowSize = 0;
  let tableRows = 0;
  const stages: SwinStageWeights[] = [];
  for (let i = 0; i < depths.length; i++) {
    const dim = embedDim * 2 ** i;
    const stagePrefix = `${prefix}encoder.layers.${i}.`;
    if (depths[i] === 0) throw bundleError(`missing key '${stagePrefix}blocks.0.layernorm_before.weight' (stage ${i} has no blocks)`);
    const firstTable = get(`${stagePrefix}blocks.0.attention.self.relative_position_bias_table`, [null, null]);
    const heads = firstTable.shape[1]!;
    if (i === 0) {
      tableRows = firstTable.shape[0]!;
      const side = Math.round(Math.sqrt(tableRows));
      if (side * side !== tableRows || side % 2 !== 1) {
        throw bundleError(`'${stagePrefix}blocks.0.attention.self.relative_position_bias_table' has ${tableRows} rows, not (2w−1)² for a window w`);
      }
      windowSize = (side + 1) / 2;
    }
    if (heads < 1 || dim % heads !== 0) {
      throw bundleError(`'${stagePrefix}blocks.0.attention.self.relative_position_bias_table' gives ${heads} heads, which do not divide the stage width ${dim}`);
    }
    const n = windowSize * windowSize;
    const blocks: SwinBlockWeights[] = [];
    for (let j = 0; j < depths[i]!; j++) {
      const b = `${stagePrefix}blocks.${j}.`;
      const indexKey = `${b}attention.self.relative_position_index`;
      const index = tensorAt(indexKey, [n, n]).data; // int64 as saved (float32 accepted when integral)
      const positionIndex = new Int32Array(index.length);
      for (let k = 0; k < index.length; k++) {
        const v = Number(index[k]!);
        if (!Number.isInteger(v) || v < 0 || v >= tableRows) throw bundleError(`'${indexKey}' holds ${v}, not an index into the ${tableRows}-row bias table`);
        positionIndex[k] = v;
      }
      const fc1 = linear(`${b}intermediate.dense`, null, dim);
      blocks.push({
        normBefore: norm(`${b}layernorm_before`, dim),
        query: linear(`${b}attention.self.query`, dim, dim),
        key: linear(`${b}attention.self.key`, dim, dim),
        value: linear(`${b}attention.self.value`, dim, dim),
        biasTable: get(`${b}attention.self.relative_position_bias_table`, [tableRows, heads]).data,
        positionIndex,
        attnOut: linear(`${b}attention.output.dense`, dim, dim),
        normAfter: norm(`${b}layernorm_after`, dim),
        fc1,
        fc2: linear(`${b}output.dense`, dim, fc1.out),
        hidden: fc1.out,
      });
    }
    const last = i === depths.length - 1;
    const downsample = last
      ? undefined
      : { norm: norm(`${stagePrefix}downsample.norm`, 4 * dim), reduction: linear(`${stagePrefix}downsample.reduction`, 2 * dim, 4 * dim, false) };
    stages.push({ dim, heads, blocks, ...(downsample === undefined ? {} : { downsample }) });
  }
  const finalDim = embedDim * 2 ** (depths.length - 1);
  const finalNorm = norm(`${prefix}layernorm`, finalDim);
  const projWeight = get(projection, [null, finalDim]);
  const proj: LinearWeights = { out: projWeight.shape[0]!, in: finalDim, weight: projWeight.data };

  for (const key of weights.keys()) {
    if (key.startsWith(prefix) && !used.has(key)) throw bundleError(`unexpected key '${key}'`);
  }
  return {
    inChannels,
    embedDim,
    patchSize: ph,
    windowSize,
    patchWeight: patch.data,
    patchBias,
    embedNorm,
    stages,
    finalNorm,
    projection: proj,
  };
}
