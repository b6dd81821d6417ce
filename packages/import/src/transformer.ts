import { EnvisionError, type Tensor, tensor } from '@envision/core';
import { DataType } from '@envision/onnx-grad';
import { type GraphBuilder, linear } from './graph.js';
import type { Weights } from './weights.js';

/** torch.finfo(torch.float32).min: what HF adds to the attention scores of masked keys. */
export const MASKED = -3.4028234663852886e38;

/** The activations of HF vision–language transformers' MLPs. */
export type Activation = 'quick_gelu' | 'gelu' | 'gelu_pytorch_tanh';

/** What a pre-LN encoder layer stack needs: sizes, activation and where its weights are. */
export interface EncoderSpec {
  /** Key prefix of the layers, e.g. `vision_model.encoder.layers.` */
  readonly prefix: string;
  readonly hidden: number;
  readonly heads: number;
  readonly activation: Activation;
  readonly eps: number;
  /** How a layer's weights are named. @default {@link HF_LAYER} */
  readonly naming?: LayerNaming;
}

/**
 * The key names inside one pre-LN layer: the two LayerNorms, the attention (separate `q/k/v` projections, or one
 * fused `qkv` projection `[3H, H]` in q, k, v order), its output projection and the MLP's two linear layers.
 */
export interface LayerNaming {
  readonly norm1: string;
  readonly norm2: string;
  readonly attention: { readonly q: string; readonly k: string; readonly v: string } | { readonly qkv: string };
  readonly out: string;
  readonly fc1: string;
  readonly fc2: string;
}

/** HF CLIP and SigLIP layers (`layer_norm1`, `self_attn.q_proj`, …, `mlp.fc1`). */
export const HF_LAYER: LayerNaming = {
  norm1: 'layer_norm1',
  norm2: 'layer_norm2',
  attention: { q: 'self_attn.q_proj', k: 'self_attn.k_proj', v: 'self_attn.v_proj' },
  out: 'self_attn.out_proj',
  fc1: 'mlp.fc1',
  fc2: 'mlp.fc2',
};

/** timm `VisionTransformer` blocks (`norm1`, fused `attn.qkv`, `attn.proj`, `mlp.fc1`), as open_clip's BiomedCLIP has. */
export const TIMM_BLOCK: LayerNaming = { norm1: 'norm1', norm2: 'norm2', attention: { qkv: 'attn.qkv' }, out: 'attn.proj', fc1: 'mlp.fc1', fc2: 'mlp.fc2' };

/** The number of attention heads from a config field, checked against the hidden size. */
export function headsOf(source: string, field: string, value: unknown, hidden: number): number {
  if (!Number.isInteger(value) || (value as number) < 1 || hidden % (value as number) !== 0) {
    throw new EnvisionError('E_BUNDLE', `${source}: ${field} must be a positive divisor of the hidden size ${hidden}, got ${JSON.stringify(value)}`);
  }
  return value as number;
}

/** LayerNormalization over the last axis with the weights under `key` (`.weight`, `.bias`). */
export function layerNorm(g: GraphBuilder, w: Weights, x: string, key: string, hidden: number, eps: number, name: string): string {
  return g.op('LayerNormalization', [x, g.init(`${key}.weight`, w.float(`${key}.weight`, [hidden])), g.init(`${key}.bias`, w.float(`${key}.bias`, [hidden]))], name, {
    axis: -1n,
    epsilon: eps,
  });
}

/** A torch `nn.Linear` under `key` (`.weight [out, in]`, `.bias [out]` when present). */
export function dense(g: GraphBuilder, w: Weights, x: string, key: string, out: number | undefined, inp: number, name: string): string {
  const weight = w.float(`${key}.weight`, [out, inp]);
  const bias = w.has(`${key}.bias`) ? w.float(`${key}.bias`, [weight.shape[0]!]) : undefined;
  return linear(g, x, weight, bias, name);
}

/** The MLP activation: x·σ(1.702x) (quick_gelu), exact erf GELU, or GELU's tanh approximation. */
export function activate(g: GraphBuilder, x: string, activation: Activation, name: string): string {
  if (activation === 'quick_gelu') return g.op('Mul', [x, g.op('Sigmoid', [g.op('Mul', [x, g.scalar('quick_gelu_k', 1.702)], `${name}.scaled`)], `${name}.sigmoid`)], name);
  const half = g.op('Mul', [x, g.scalar('half', 0.5)], `${name}.half`);
  if (activation === 'gelu') {
    const erf = g.op('Erf', [g.op('Div', [x, g.scalar('sqrt2', Math.SQRT2)], `${name}.div`)], `${name}.erf`);
    return g.op('Mul', [half, g.op('Add', [erf, g.scalar('one', 1)], `${name}.add`)], name);
  }
  const cube = g.op('Mul', [g.op('Mul', [x, x], `${name}.sq`), x], `${name}.cube`);
  const inner = g.op('Mul', [g.op('Add', [x, g.op('Mul', [cube, g.scalar('gelu_c', 0.044715)], `${name}.c`)], `${name}.sum`), g.scalar('gelu_k', Math.sqrt(2 / Math.PI))], `${name}.inner`);
  return g.op('Mul', [half, g.op('Add', [g.op('Tanh', [inner], `${name}.tanh`), g.scalar('one', 1)], `${name}.add`)], name);
}

/**
 * Multi-head attention of queries `q` `[B, Lq, H]` over keys/values `kv` `[B, L, H]` with the projected weights given
 * (torch layout `[out, in]`): softmax(Q Kᵀ / √d + mask) V, heads merged, out-projected. `mask` is additive, broadcast
 * to `[B, heads, Lq, L]`, or absent.
 */
export function attention(
  g: GraphBuilder,
  q: string,
  kv: string,
  weights: { readonly q: readonly [Tensor<'float32'>, Tensor<'float32'>]; readonly k: readonly [Tensor<'float32'>, Tensor<'float32'>]; readonly v: readonly [Tensor<'float32'>, Tensor<'float32'>]; readonly out: readonly [Tensor<'float32'>, Tensor<'float32'>] },
  hidden: number,
  heads: number,
  mask: string | undefined,
  name: string,
): string {
  const d = hidden / heads;
  const split = g.ints('split_heads', [0, 0, heads, d]);
  const project = (x: string, [weight, bias]: readonly [Tensor<'float32'>, Tensor<'float32'>], which: string, perm: bigint[]) =>
    g.op('Transpose', [g.op('Reshape', [linear(g, x, weight, bias, `${name}.${which}`), split], `${name}.${which}.split`)], `${name}.${which}.heads`, { perm });
  const qh = project(q, weights.q, 'q', [0n, 2n, 1n, 3n]);
  const kT = project(kv, weights.k, 'k', [0n, 2n, 3n, 1n]);
  const vh = project(kv, weights.v, 'v', [0n, 2n, 1n, 3n]);
  const scaled = g.op('Mul', [g.op('MatMul', [qh, kT], `${name}.qk`), g.scalar('attention_scale', 1 / Math.sqrt(d))], `${name}.scaled`);
  const scores = mask === undefined ? scaled : g.op('Add', [scaled, mask], `${name}.masked`);
  const probs = g.op('Softmax', [scores], `${name}.probs`, { axis: -1n });
  const merged = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [probs, vh], `${name}.context`)], `${name}.context_t`, { perm: [0n, 2n, 1n, 3n] }), g.ints('merge_heads', [0, 0, hidden])], `${name}.merged`);
  return linear(g, merged, weights.out[0], weights.out[1], `${name}.out`);
}

/** The `[weight, bias]` pair of a projection under `key`. */
export function projection(w: Weights, key: string, out: number, inp: number): readonly [Tensor<'float32'>, Tensor<'float32'>] {
  return [w.float(`${key}.weight`, [out, inp]), w.float(`${key}.bias`, [out])];
}

/** Part `i` (0 q, 1 k, 2 v) of a fused `[3H, H]` projection and its `[3H]` bias. */
export function fusedPart(weight: Tensor<'float32'>, bias: Tensor<'float32'>, i: number, H: number): readonly [Tensor<'float32'>, Tensor<'float32'>] {
  return [tensor('float32', [H, H], weight.data.slice(i * H * H, (i + 1) * H * H)), tensor('float32', [H], bias.data.slice(i * H, (i + 1) * H))];
}

/** The q, k, v projections of one layer, separate or split from a fused one. */
function qkv(w: Weights, k: string, naming: LayerNaming, H: number): Pick<Parameters<typeof attention>[3], 'q' | 'k' | 'v'> {
  const a = naming.attention;
  if ('qkv' in a) {
    const weight = w.float(`${k}${a.qkv}.weight`, [3 * H, H]);
    const bias = w.float(`${k}${a.qkv}.bias`, [3 * H]);
    return { q: fusedPart(weight, bias, 0, H), k: fusedPart(weight, bias, 1, H), v: fusedPart(weight, bias, 2, H) };
  }
  return { q: projection(w, `${k}${a.q}`, H, H), k: projection(w, `${k}${a.k}`, H, H), v: projection(w, `${k}${a.v}`, H, H) };
}

/**
 * The pre-LN encoder layers of HF CLIP and SigLIP and of timm's ViT (norm1 → self-attention → residual; norm2 → fc1 →
 * activation → fc2 → residual), as many as the weights have, with the keys of `spec.naming`.
 */
export function encoder(g: GraphBuilder, w: Weights, x: string, spec: EncoderSpec, mask: string | undefined, name: string): string {
  const layers = w.count(spec.prefix);
  if (layers < 1) throw new EnvisionError('E_BUNDLE', `${w.source}: no encoder layers under '${spec.prefix}N.'`);
  const H = spec.hidden;
  const naming = spec.naming ?? HF_LAYER;
  let h = x;
  for (let l = 0; l < layers; l++) {
    const k = `${spec.prefix}${l}.`;
    const n = `${name}${l}`;
    const normed = layerNorm(g, w, h, `${k}${naming.norm1}`, H, spec.eps, `${n}.ln1`);
    const attended = attention(g, normed, normed, { ...qkv(w, k, naming, H), out: projection(w, `${k}${naming.out}`, H, H) }, H, spec.heads, mask, `${n}.attn`);
    h = g.op('Add', [h, attended], `${n}.residual1`);
    const inner = activate(g, dense(g, w, layerNorm(g, w, h, `${k}${naming.norm2}`, H, spec.eps, `${n}.ln2`), `${k}${naming.fc1}`, undefined, H, `${n}.fc1`), spec.activation, `${n}.act`);
    const I = w.float(`${k}${naming.fc1}.weight`).shape[0]!;
    h = g.op('Add', [h, dense(g, w, inner, `${k}${naming.fc2}`, H, I, `${n}.fc2`)], `${n}.residual2`);
  }
  return h;
}

/** An int64 input cast to float32. */
export function asFloat(g: GraphBuilder, x: string, name: string): string {
  return g.op('Cast', [x], name, { to: BigInt(DataType.FLOAT) });
}
