import { EnvisionError, type Tensor, tensor } from '@envision/core';
import { GraphBuilder, linear } from './graph.js';
import { MASKED, activate } from './transformer.js';
import type { Weights } from './weights.js';
import { DataType, type ModelProto, makeTensorValueInfo } from '@envision/onnx-grad';

/** Options of {@link buildBertText}. */
export interface BertTextOptions {
  /** Prefix of the HF `BertModel` keys. @default `text_model.model.` */
  readonly prefix?: string;
  /**
   * The projection to the joint space: the key of a bias-free linear weight `[M, hidden]` (MedCLIP's), or open_clip's
   * `mlp` head — two bias-free linear layers with an exact GELU between, `{ mlp: [first, second] }` keys.
   * @default `text_model.projection_head.weight`
   */
  readonly projection?: string | { readonly mlp: readonly [string, string] };
  /**
   * How the hidden states become one vector: MedCLIP's (the token mean, pads included, of hidden states 1, 2 and the
   * last, then their mean) or the [CLS] hidden state of the last layer (open_clip's `cls_last_hidden_state_pooler`).
   * @default 'medclip'
   */
  readonly pooling?: 'medclip' | 'cls';
  /** Attention heads. @default hidden / 64 (BERT's head size) */
  readonly heads?: number;
  /** LayerNorm epsilon. @default 1e-12 (BERT's) */
  readonly eps?: number;
}


/** Row `k` of a 2-D tensor as a vector. */
function row(t: Tensor<'float32'>, k: number): Tensor<'float32'> {
  const n = t.shape[1]!;
  return tensor('float32', [n], t.data.slice(k * n, (k + 1) * n));
}

/**
 * Builds MedCLIP's text encoder (`MedCLIPTextModel`) as ONNX from a state dict: a HuggingFace `BertModel`
 * (embeddings word + position + token type 0, LayerNorm; post-LN layers with exact erf GELU; padded keys masked
 * with float32's minimum) with `output_hidden_states`, pooled as MedCLIP does — the mean over **all** tokens (pads
 * included) of hidden states 1, 2 and the last, then the mean of the three — and projected without bias. Every size
 * (vocabulary, hidden, layers, intermediate, positions, embedding) is read from the weights.
 * @param w - the weights (every key read is recorded)
 * @param options - key prefixes, heads, epsilon
 * @returns the model: `input_ids`, `attention_mask` int64 `[batch, sequence]` → `text_embeds` float32 `[batch, M]`
 * @throws EnvisionError `E_BUNDLE` naming the key when one is missing or misshapen, or when the hidden size is not a
 *   multiple of the heads or there are fewer than 2 layers
 */
export function buildBertText(w: Weights, options: BertTextOptions = {}): ModelProto {
  const p = options.prefix ?? 'text_model.model.';
  const eps = options.eps ?? 1e-12;
  const word = w.float(`${p}embeddings.word_embeddings.weight`, [undefined, undefined]);
  const H = word.shape[1]!;
  const heads = options.heads ?? H / 64;
  if (!Number.isInteger(heads) || heads < 1 || H % heads !== 0) {
    throw new EnvisionError('E_BUNDLE', `${w.source}: hidden size ${H} is not a multiple of ${options.heads ?? 64} ${options.heads === undefined ? '(BERT head size 64); pass the head count (--text-heads)' : 'heads'}`);
  }
  const d = H / heads;
  const layers = w.count(`${p}encoder.layer.`);
  if (layers < 1) throw new EnvisionError('E_BUNDLE', `${w.source}: no BERT layers (keys '${p}encoder.layer.N.*')`);
  const pooling = options.pooling ?? 'medclip';
  if (pooling === 'medclip' && layers < 2) throw new EnvisionError('E_BUNDLE', `${w.source}: MedCLIP's pooling needs at least 2 BERT layers, found ${layers} (keys '${p}encoder.layer.N.*')`);
  const g = new GraphBuilder();
  const ids = 'input_ids';
  const mask = 'attention_mask';
  const layerNorm = (x: string, key: string, name: string) =>
    g.op('LayerNormalization', [x, g.init(`${key}.weight`, w.float(`${key}.weight`, [H])), g.init(`${key}.bias`, w.float(`${key}.bias`, [H]))], name, {
      axis: -1n,
      epsilon: eps,
    });

  // Embeddings: word + token type 0, + position (HF's order), LayerNorm.
  const e = `${p}embeddings.`;
  const positions = w.float(`${e}position_embeddings.weight`, [undefined, H]);
  const P = positions.shape[0]!;
  const positionIds = w.has(`${e}position_ids`)
    ? w.int(`${e}position_ids`, [1, P])
    : tensor('int64', [1, P], BigInt64Array.from({ length: P }, (_, k) => BigInt(k)));
  const tokenType = row(w.float(`${e}token_type_embeddings.weight`, [undefined, H]), 0);
  const words = g.op('Gather', [g.init('word_embeddings', word), ids], 'embeddings.words', { axis: 0n });
  const length = g.op('Shape', [ids], 'embeddings.length', { start: 1n, end: 2n });
  const posIds = g.op('Slice', [g.init('position_ids', positionIds), g.ints('zero', [0]), length, g.ints('axis1', [1])], 'embeddings.position_ids');
  const pos = g.op('Gather', [g.init('position_embeddings', positions), posIds], 'embeddings.positions', { axis: 0n });
  const summed = g.op('Add', [g.op('Add', [words, g.init('token_type_embedding', tokenType)], 'embeddings.add_type'), pos], 'embeddings.sum');
  let x = layerNorm(summed, `${e}LayerNorm`, 'embeddings.out');

  // Additive mask [B, 1, 1, L]: (1 − mask) · float32 min.
  const one = g.scalar('one', 1);
  const maskF = g.op('Cast', [mask], 'mask.float', { to: BigInt(DataType.FLOAT) });
  const inverted = g.op('Sub', [one, maskF], 'mask.inverted');
  const additive = g.op('Unsqueeze', [g.op('Mul', [inverted, g.scalar('float32_min', MASKED)], 'mask.additive'), g.ints('axes12', [1, 2])], 'mask.extended');

  const splitShape = g.ints('split_heads', [0, 0, heads, d]);
  const mergeShape = g.ints('merge_heads', [0, 0, H]);
  const scale = g.scalar('sqrt_head_size', Math.sqrt(d));
  const hidden: string[] = [x];
  for (let l = 0; l < layers; l++) {
    const k = `${p}encoder.layer.${l}.`;
    const n = `layer${l}`;
    const I = w.float(`${k}intermediate.dense.weight`, [undefined, H]).shape[0]!;
    const proj = (which: string, perm: bigint[]) => {
      const y = linear(g, x, w.float(`${k}attention.self.${which}.weight`, [H, H]), w.float(`${k}attention.self.${which}.bias`, [H]), `${n}.${which}`);
      return g.op('Transpose', [g.op('Reshape', [y, splitShape], `${n}.${which}.split`)], `${n}.${which}.heads`, { perm });
    };
    const q = proj('query', [0n, 2n, 1n, 3n]);
    const kT = proj('key', [0n, 2n, 3n, 1n]);
    const v = proj('value', [0n, 2n, 1n, 3n]);
    const scores = g.op('Add', [g.op('Div', [g.op('MatMul', [q, kT], `${n}.qk`), scale], `${n}.scaled`), additive], `${n}.masked`);
    const probs = g.op('Softmax', [scores], `${n}.probs`, { axis: -1n });
    const context = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [probs, v], `${n}.context_heads`)], `${n}.context_t`, { perm: [0n, 2n, 1n, 3n] }), mergeShape], `${n}.context`);
    const attn = linear(g, context, w.float(`${k}attention.output.dense.weight`, [H, H]), w.float(`${k}attention.output.dense.bias`, [H]), `${n}.attention_out`);
    const x1 = layerNorm(g.op('Add', [attn, x], `${n}.attention_residual`), `${k}attention.output.LayerNorm`, `${n}.attention_norm`);
    const inter = linear(g, x1, w.float(`${k}intermediate.dense.weight`, [I, H]), w.float(`${k}intermediate.dense.bias`, [I]), `${n}.intermediate`);
    const gelu = activate(g, inter, 'gelu', `${n}.gelu`); // exact erf GELU
    const out = linear(g, gelu, w.float(`${k}output.dense.weight`, [H, I]), w.float(`${k}output.dense.bias`, [H]), `${n}.output`);
    x = layerNorm(g.op('Add', [out, x1], `${n}.output_residual`), `${k}output.LayerNorm`, `${n}.out`);
    hidden.push(x);
  }
  w.ignore(`${p}pooler.dense.weight`, `${p}pooler.dense.bias`);

  let embedding: string;
  if (pooling === 'cls') {
    embedding = g.op('Gather', [x, g.init('cls_index', tensor('int64', [], BigInt64Array.of(0n)))], 'pool.cls', { axis: 1n });
  } else {
    // MedCLIP's pooling: token mean (pads included) of hidden states 1, 2 and −1, then their mean.
    const tokenMean = (h: string, name: string) => g.op('ReduceMean', [h], name, { axes: [1n], keepdims: 0n });
    const pooled = [hidden[1]!, hidden[2]!, hidden[layers]!].map((h, i) => tokenMean(h, `pool.mean${i}`));
    const sum = g.op('Add', [g.op('Add', [pooled[0]!, pooled[1]!], 'pool.sum01'), pooled[2]!], 'pool.sum');
    embedding = g.op('Div', [sum, g.scalar('three', 3)], 'pool.mean');
  }
  const head = options.projection ?? 'text_model.projection_head.weight';
  let projected: string;
  let M: number;
  if (typeof head === 'string') {
    const projection = w.float(head, [undefined, H]);
    M = projection.shape[0]!;
    projected = linear(g, embedding, projection, undefined, 'projection');
  } else {
    const first = w.float(head.mlp[0], [undefined, H]);
    const second = w.float(head.mlp[1], [undefined, first.shape[0]!]);
    M = second.shape[0]!;
    const gelu = activate(g, linear(g, embedding, first, undefined, 'projection.0'), 'gelu', 'projection.gelu');
    projected = linear(g, gelu, second, undefined, 'projection.2');
  }
  return g.model(
    'medclip_text',
    [makeTensorValueInfo(ids, DataType.INT64, ['batch', 'sequence']), makeTensorValueInfo(mask, DataType.INT64, ['batch', 'sequence'])],
    makeTensorValueInfo('text_embeds', DataType.FLOAT, ['batch', M]),
    projected,
  );
}
