import { EnvisionError, type Tensor, tensor } from '@envision/core';
import { DataType, type ModelProto, makeTensorValueInfo } from '@envision/onnx-grad';
import { GraphBuilder, linear } from './graph.js';
import { type Activation, MASKED, TIMM_BLOCK, activate, asFloat, attention, dense, encoder, fusedPart, headsOf, layerNorm, projection } from './transformer.js';
import type { Weights } from './weights.js';

/** The sizes and choices a CLIP-family `config.json` gives one tower. */
export interface TowerConfig {
  readonly heads: number;
  readonly activation: Activation;
  readonly eps: number;
}

/** A tower's settings from `config.json`'s `vision_config` / `text_config`, with HF's defaults. */
export function towerConfig(source: string, config: Record<string, unknown> | undefined, hidden: number, defaults: { activation: Activation; eps: number }): TowerConfig {
  const c = config ?? {};
  const activation = (c['hidden_act'] ?? defaults.activation) as Activation;
  if (!['quick_gelu', 'gelu', 'gelu_pytorch_tanh'].includes(activation)) {
    throw new EnvisionError('E_BUNDLE', `${source}: hidden_act ${JSON.stringify(activation)} is not one the importer builds (quick_gelu, gelu, gelu_pytorch_tanh)`);
  }
  const eps = c['layer_norm_eps'] ?? defaults.eps;
  if (typeof eps !== 'number' || !(eps > 0)) throw new EnvisionError('E_BUNDLE', `${source}: layer_norm_eps must be a positive number, got ${JSON.stringify(eps)}`);
  return { heads: headsOf(source, 'num_attention_heads', c['num_attention_heads'] ?? Math.max(1, Math.round(hidden / 64)), hidden), activation, eps };
}

/** Patch embedding `[B, N, H]` of `pixel_values` by the convolution under `key` (bias when the weights have one). */
function patches(g: GraphBuilder, w: Weights, key: string): { tokens: string; hidden: number; patch: number } {
  const weight = w.float(`${key}.weight`, [undefined, 3, undefined, undefined]);
  const [H, , p] = weight.shape as [number, number, number, number];
  const inputs = ['pixel_values', g.init(`${key}.weight`, weight), ...(w.has(`${key}.bias`) ? [g.init(`${key}.bias`, w.float(`${key}.bias`, [H]))] : [])];
  const conv = g.op('Conv', inputs, 'patches.conv', { kernel_shape: [BigInt(p), BigInt(p)], strides: [BigInt(p), BigInt(p)] });
  const flat = g.op('Reshape', [conv, g.ints('flatten_grid', [0, H, -1])], 'patches.flat');
  return { tokens: g.op('Transpose', [flat], 'patches.tokens', { perm: [0n, 2n, 1n] }), hidden: H, patch: p };
}

/** The class token prepended to the patch tokens `[B, N, H]`, then the position embeddings `[N + 1, H]` added. */
function withClassToken(g: GraphBuilder, tokens: string, cls: Tensor<'float32'>, positions: Tensor<'float32'>): string {
  // The class token at batch B: 0 · (the first patch) + class embedding, so the batch stays symbolic.
  const first = g.op('Slice', [tokens, g.ints('zero', [0]), g.ints('one_i', [1]), g.ints('axis1', [1])], 'cls.first');
  const clsTokens = g.op('Add', [g.op('Mul', [first, g.scalar('zero_f', 0)], 'cls.zeroed'), g.init('class_embedding', cls)], 'cls.tokens');
  const sequence = g.op('Concat', [clsTokens, tokens], 'embeddings.sequence', { axis: 1n });
  return g.op('Add', [sequence, g.init('position_embedding', positions)], 'embeddings.out');
}

/**
 * HF `CLIPVisionModelWithProjection` from a `CLIPModel` state dict: patch convolution (no bias), class token, position
 * embeddings, `pre_layrnorm`, the pre-LN encoder, `post_layernorm` of the class token, `visual_projection` (no bias).
 * @returns `pixel_values` float32 `[batch, 3, S, S]` → `image_embeds` float32 `[batch, P]` (unnormalised)
 */
export function buildClipVision(w: Weights, config: Record<string, unknown> | undefined, source: string): ModelProto {
  const g = new GraphBuilder();
  const v = 'vision_model.';
  const { tokens, hidden: H } = patches(g, w, `${v}embeddings.patch_embedding`);
  const tower = towerConfig(source, config, H, { activation: 'quick_gelu', eps: 1e-5 });
  const embedded = withClassToken(g, tokens, w.float(`${v}embeddings.class_embedding`, [H]), w.float(`${v}embeddings.position_embedding.weight`, [undefined, H]));
  w.ignore(`${v}embeddings.position_ids`);
  const pre = layerNorm(g, w, embedded, `${v}pre_layrnorm`, H, tower.eps, 'pre_layrnorm');
  const hidden = encoder(g, w, pre, { prefix: `${v}encoder.layers.`, hidden: H, ...tower }, undefined, 'vision.layer');
  const pooled = g.op('Gather', [hidden, g.init('token0', tensor('int64', [], BigInt64Array.of(0n)))], 'pooled.cls', { axis: 1n });
  const post = layerNorm(g, w, pooled, `${v}post_layernorm`, H, tower.eps, 'post_layernorm');
  const visual = w.float('visual_projection.weight', [undefined, H]);
  const embeds = linear(g, post, visual, undefined, 'visual_projection');
  return g.model('clip_vision', [makeTensorValueInfo('pixel_values', DataType.FLOAT, ['batch', 3, 'height', 'width'])], makeTensorValueInfo('image_embeds', DataType.FLOAT, ['batch', visual.shape[0]!]), embeds);
}

/** Token + position embeddings of `input_ids` `[B, L]` under `prefix` (`token_embedding`, `position_embedding`). */
function textEmbeddings(g: GraphBuilder, w: Weights, prefix: string): { embedded: string; hidden: number } {
  const token = w.float(`${prefix}token_embedding.weight`, [undefined, undefined]);
  const H = token.shape[1]!;
  const positions = w.float(`${prefix}position_embedding.weight`, [undefined, H]);
  w.ignore(`${prefix}position_ids`);
  const words = g.op('Gather', [g.init('token_embedding', token), 'input_ids'], 'embeddings.tokens', { axis: 0n });
  const length = g.op('Shape', ['input_ids'], 'embeddings.length', { start: 1n, end: 2n });
  const used = g.op('Slice', [g.init('position_embedding', positions), g.ints('zero', [0]), length, g.ints('axis0', [0])], 'embeddings.positions');
  return { embedded: g.op('Add', [words, used], 'embeddings.out'), hidden: H };
}

/**
 * HF `CLIPTextModelWithProjection`: token and position embeddings, the pre-LN encoder under a causal mask combined
 * with the padding mask, `final_layer_norm`, the hidden state at the first `eos_token_id` of each row, and
 * `text_projection` (no bias).
 * @returns `input_ids`, `attention_mask` int64 `[batch, sequence]` → `text_embeds` float32 `[batch, P]` (unnormalised)
 */
export function buildClipText(w: Weights, config: Record<string, unknown> | undefined, eos: number, source: string): ModelProto {
  const g = new GraphBuilder();
  const t = 'text_model.';
  const { embedded, hidden: H } = textEmbeddings(g, w, `${t}embeddings.`);
  const tower = towerConfig(source, config, H, { activation: 'quick_gelu', eps: 1e-5 });
  // Additive mask [B, 1, L, L]: key j masked for query i when j > i (causal) or when key j is padding.
  const length = g.op('Shape', ['input_ids'], 'mask.length', { start: 1n, end: 2n });
  const positions = g.op('Range', [g.init('r0', tensor('int64', [], BigInt64Array.of(0n))), g.op('Squeeze', [length, g.ints('axis0', [0])], 'mask.length_scalar'), g.init('r1', tensor('int64', [], BigInt64Array.of(1n)))], 'mask.positions');
  const later = g.op('Greater', [g.op('Unsqueeze', [positions, g.ints('axis0b', [0])], 'mask.keys'), g.op('Unsqueeze', [positions, g.ints('axis1b', [1])], 'mask.queries')], 'mask.later');
  const padded = g.op('Equal', [g.op('Unsqueeze', ['attention_mask', g.ints('axes12', [1, 2])], 'mask.keys_valid'), g.init('zero_i64', tensor('int64', [], BigInt64Array.of(0n)))], 'mask.padded');
  const hidden = g.op('Or', [g.op('Unsqueeze', [later, g.ints('axis0c', [0])], 'mask.causal'), padded], 'mask.hidden');
  const additive = g.op('Where', [hidden, g.scalar('masked', MASKED), g.scalar('zero_f', 0)], 'mask.additive');
  const encoded = encoder(g, w, embedded, { prefix: `${t}encoder.layers.`, hidden: H, ...tower }, additive, 'text.layer');
  const final = layerNorm(g, w, encoded, `${t}final_layer_norm`, H, tower.eps, 'final_layer_norm');
  // The first EOS of each row: ArgMax of (ids == eos) picks the first maximum.
  const isEos = asFloat(g, g.op('Equal', ['input_ids', g.init('eos', tensor('int64', [], BigInt64Array.of(BigInt(eos))))], 'pool.is_eos'), 'pool.is_eos_f');
  const at = g.op('ArgMax', [isEos], 'pool.position', { axis: 1n, keepdims: 1n });
  const index = g.op('Expand', [g.op('Unsqueeze', [at, g.ints('axis2', [2])], 'pool.index3'), g.op('Concat', [g.op('Shape', [at], 'pool.batch_shape'), g.ints('hidden_dim', [H])], 'pool.index_shape', { axis: 0n })], 'pool.index');
  const pooled = g.op('Squeeze', [g.op('GatherElements', [final, index], 'pool.gathered', { axis: 1n }), g.ints('axis1s', [1])], 'pool.eos');
  const text = w.float('text_projection.weight', [undefined, H]);
  const embeds = linear(g, pooled, text, undefined, 'text_projection');
  return g.model(
    'clip_text',
    [makeTensorValueInfo('input_ids', DataType.INT64, ['batch', 'sequence']), makeTensorValueInfo('attention_mask', DataType.INT64, ['batch', 'sequence'])],
    makeTensorValueInfo('text_embeds', DataType.FLOAT, ['batch', text.shape[0]!]),
    embeds,
  );
}

/**
 * HF `SiglipVisionModel`: patch convolution (with bias), position embeddings (no class token), the pre-LN encoder,
 * `post_layernorm`, and the attention-pooling head (a learned probe attends over the tokens with `in_proj`/`out_proj`,
 * then `layernorm` and an MLP with a residual).
 * @returns `pixel_values` float32 `[batch, 3, S, S]` → `pooler_output` float32 `[batch, H]`
 */
export function buildSiglipVision(w: Weights, config: Record<string, unknown> | undefined, source: string): ModelProto {
  const g = new GraphBuilder();
  const v = 'vision_model.';
  const { tokens, hidden: H } = patches(g, w, `${v}embeddings.patch_embedding`);
  const tower = towerConfig(source, config, H, { activation: 'gelu_pytorch_tanh', eps: 1e-6 });
  const embedded = g.op('Add', [tokens, g.init('position_embedding', w.float(`${v}embeddings.position_embedding.weight`, [undefined, H]))], 'embeddings.out');
  w.ignore(`${v}embeddings.position_ids`);
  const hidden = encoder(g, w, embedded, { prefix: `${v}encoder.layers.`, hidden: H, ...tower }, undefined, 'vision.layer');
  const post = layerNorm(g, w, hidden, `${v}post_layernorm`, H, tower.eps, 'post_layernorm');
  // Attention-pooling head: the probe [1, 1, H] at batch B as 0 · (the first token) + probe.
  const h = `${v}head.`;
  const first = g.op('Slice', [post, g.ints('zero', [0]), g.ints('one_i', [1]), g.ints('axis1', [1])], 'head.first');
  const probe = g.op('Add', [g.op('Mul', [first, g.scalar('zero_f', 0)], 'head.zeroed'), g.init('probe', w.float(`${h}probe`, [1, 1, H]))], 'head.probe');
  const inW = w.float(`${h}attention.in_proj_weight`, [3 * H, H]);
  const inB = w.float(`${h}attention.in_proj_bias`, [3 * H]);
  const part = (i: number) => fusedPart(inW, inB, i, H);
  const attended = attention(g, probe, post, { q: part(0), k: part(1), v: part(2), out: projection(w, `${h}attention.out_proj`, H, H) }, H, tower.heads, undefined, 'head.attention');
  const normed = layerNorm(g, w, attended, `${h}layernorm`, H, tower.eps, 'head.layernorm');
  const I = w.float(`${h}mlp.fc1.weight`, [undefined, H]).shape[0]!;
  const mlp = dense(g, w, activate(g, dense(g, w, normed, `${h}mlp.fc1`, I, H, 'head.fc1'), tower.activation, 'head.act'), `${h}mlp.fc2`, H, I, 'head.fc2');
  const pooled = g.op('Squeeze', [g.op('Add', [attended, mlp], 'head.out'), g.ints('axis1s', [1])], 'head.pooled');
  return g.model('siglip_vision', [makeTensorValueInfo('pixel_values', DataType.FLOAT, ['batch', 3, 'height', 'width'])], makeTensorValueInfo('pooler_output', DataType.FLOAT, ['batch', H]), pooled);
}

/**
 * HF `SiglipTextModel`: token and position embeddings, the pre-LN encoder (no mask: SigLIP pads to the maximum length
 * and reads the last token), `final_layer_norm`, the last token, and `head` (with bias).
 * @returns `input_ids` int64 `[batch, sequence]` → `pooler_output` float32 `[batch, P]`
 */
export function buildSiglipText(w: Weights, config: Record<string, unknown> | undefined, source: string): ModelProto {
  const g = new GraphBuilder();
  const t = 'text_model.';
  const { embedded, hidden: H } = textEmbeddings(g, w, `${t}embeddings.`);
  const tower = towerConfig(source, config, H, { activation: 'gelu_pytorch_tanh', eps: 1e-6 });
  const encoded = encoder(g, w, embedded, { prefix: `${t}encoder.layers.`, hidden: H, ...tower }, undefined, 'text.layer');
  const final = layerNorm(g, w, encoded, `${t}final_layer_norm`, H, tower.eps, 'final_layer_norm');
  const last = g.op('Gather', [final, g.init('last', tensor('int64', [], BigInt64Array.of(-1n)))], 'pool.last', { axis: 1n });
  const headWeight = w.float(`${t}head.weight`, [undefined, H]);
  const pooled = dense(g, w, last, `${t}head`, headWeight.shape[0]!, H, 'head');
  return g.model('siglip_text', [makeTensorValueInfo('input_ids', DataType.INT64, ['batch', 'sequence'])], makeTensorValueInfo('pooler_output', DataType.FLOAT, ['batch', headWeight.shape[0]!]), pooled);
}

/** The timm ViT tower's settings an open_clip config does not state, with timm's `VisionTransformer` defaults. */
export interface TimmVisionOptions {
  /** Attention heads. @default hidden / 64 (ViT-B's head size) */
  readonly heads?: number;
  /** LayerNorm epsilon. @default 1e-6 (timm's ViT) */
  readonly eps?: number;
}

/**
 * open_clip's `TimmModel` around a timm `VisionTransformer` (BiomedCLIP's `vit_base_patch16_224`): patch convolution
 * (with bias), `cls_token`, `pos_embed`, pre-LN blocks with a fused `qkv` and exact GELU, the final `norm`, the class
 * token (timm's default `token` pool, which open_clip's `timm_pool: ""` keeps), and the linear `head.proj` (no bias).
 * Keys under `visual.trunk.` and `visual.head.`.
 * @returns `pixel_values` float32 `[batch, 3, S, S]` → `image_embeds` float32 `[batch, P]` (unnormalised)
 */
export function buildTimmVision(w: Weights, options: TimmVisionOptions = {}): ModelProto {
  const g = new GraphBuilder();
  const t = 'visual.trunk.';
  const { tokens, hidden: H } = patches(g, w, `${t}patch_embed.proj`);
  const heads = headsOf(w.source, 'heads', options.heads ?? Math.max(1, Math.round(H / 64)), H);
  const eps = options.eps ?? 1e-6;
  const embedded = withClassToken(g, tokens, w.float(`${t}cls_token`, [1, 1, H]), w.float(`${t}pos_embed`, [1, undefined, H]));
  const hidden = encoder(g, w, embedded, { prefix: `${t}blocks.`, hidden: H, heads, activation: 'gelu', eps, naming: TIMM_BLOCK }, undefined, 'vision.layer');
  const normed = layerNorm(g, w, hidden, `${t}norm`, H, eps, 'norm');
  const pooled = g.op('Gather', [normed, g.init('token0', tensor('int64', [], BigInt64Array.of(0n)))], 'pooled.cls', { axis: 1n });
  const proj = w.float('visual.head.proj.weight', [undefined, H]);
  const embeds = linear(g, pooled, proj, undefined, 'visual_projection');
  return g.model('timm_vision', [makeTensorValueInfo('pixel_values', DataType.FLOAT, ['batch', 3, 'height', 'width'])], makeTensorValueInfo('image_embeds', DataType.FLOAT, ['batch', proj.shape[0]!]), embeds);
}
