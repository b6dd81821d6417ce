import { EnvisionError, type DifferentiableModel, type NamedTensors, type Tensor, tensor } from '@envision/onnx-grad';
import type { TokenBatch } from './adapter.js';
import { quadrature } from './quadrature.js';

/**
 * What an adapter gives for explaining its text side: the text encoder with gradients, the word-embedding tensor (the
 * layer token attributions are taken at) and, for a list of texts embedded as one padded batch, the encoder's feeds,
 * baseline feeds (every token that is not special replaced by padding) and each text's token strings.
 */
export interface TextSide {
  /** The text encoder, differentiable and able to cut at a layer. */
  readonly model: DifferentiableModel;
  /** Its embedding output `[K, M]`. */
  readonly output: string;
  /** The word-embedding output `[K, L, H]` (the token lookup, before positions are added). */
  readonly wordEmbeddings: string;
  /** Feeds of the texts as one padded batch, the baseline feeds, and each text's tokens (its real positions). */
  prepare(texts: readonly string[]): { feeds: NamedTensors; baseline: NamedTensors; tokens: string[][] };
  /** True for the tokenizer's special tokens (left out of words). */
  isSpecial(token: string): boolean;
}

/** What {@link tokenTextSide} builds a {@link TextSide} from: a tokenizer's view of the text encoder. */
export interface TokenTextSpec {
  readonly model: DifferentiableModel;
  readonly output: string;
  readonly wordEmbeddings: string;
  /** The token-id and (optional) mask inputs. */
  readonly ids: string;
  readonly mask?: string;
  /** Other inputs the encoder takes (e.g. zero `token_type_ids`), for a batch of `[K, L]`. */
  readonly extra?: (batch: TokenBatch) => NamedTensors;
  /** Tokenises texts as one padded batch, as the adapter embeds them. */
  encode(texts: readonly string[]): TokenBatch;
  readonly padId: number;
  /** Ids kept in the baseline (CLS, SEP, BOS, EOS, padding). */
  readonly specialIds: ReadonlySet<number>;
  idToToken(id: number): string;
}

/**
 * A {@link TextSide} from a tokenizer: the baseline replaces every token that is not special by the padding id (same
 * length and mask), as Captum's text tutorials build their reference.
 */
export function tokenTextSide(spec: TokenTextSpec): TextSide {
  const specialTokens = new Set([...spec.specialIds].map((id) => spec.idToToken(id)));
  return {
    model: spec.model,
    output: spec.output,
    wordEmbeddings: spec.wordEmbeddings,
    prepare(texts) {
      const batch = spec.encode(texts);
      const [k, l] = batch.ids.shape as [number, number];
      const feeds: NamedTensors = { [spec.ids]: batch.ids, ...(spec.mask ? { [spec.mask]: batch.mask } : {}), ...spec.extra?.(batch) };
      const base = BigInt64Array.from(batch.ids.data, (id) => (spec.specialIds.has(Number(id)) ? id : BigInt(spec.padId)));
      const baseline = { ...feeds, [spec.ids]: tensor('int64', [k, l], base) };
      const tokens = Array.from({ length: k }, (_, r) => {
        const row: string[] = [];
        for (let p = 0; p < l; p++) if (batch.mask.data[r * l + p] === 1n) row.push(spec.idToToken(Number(batch.ids.data[r * l + p])));
        return row;
      });
      return { feeds, baseline, tokens };
    },
    isSpecial: (token) => specialTokens.has(token),
  };
}

/** Which per-text score the tokens explain: the paper's τ⟨t̂, e⟩ or the model's logit τ·cos(t, e) + b. */
export type TokenScore = 'dot' | 'cosine';

/** One text's token attributions. */
export interface TextTokens {
  readonly text: string;
  /** Token strings, in order (special tokens included). */
  readonly tokens: readonly string[];
  /** Which tokens are special ([CLS], padding, …): left out of words. */
  readonly special: readonly boolean[];
  /** Layer IG per token: Σ over the hidden size of (E − E₀) ⊙ ∫ ∂s/∂E. */
  readonly ig: readonly number[];
  /** Saliency × embedding per token: Σ over the hidden size of E ⊙ ∂s/∂E at E. */
  readonly saliencyTimesEmbedding: readonly number[];
  /** Word pieces joined back to words (special tokens left out), each with the sum of its pieces' IG. */
  readonly words: readonly { readonly word: string; readonly ig: number }[];
  /** The score at the text and at the baseline, and Σ IG − (s(E) − s(E₀)). */
  readonly score: number;
  readonly baselineScore: number;
  readonly convergenceDelta: number;
}

/**
 * s = τ⟨t̂, v⟩ + b for each row t of `t` `[K, M]` and its gradient ∂s/∂t = (τ/‖t‖)(v − ⟨t̂, v⟩ t̂), with v = e (`dot`,
 * no bias) or ê (`cosine`).
 */
export function textScores(t: Tensor<'float32'>, e: Float32Array, kind: TokenScore, logitScale: number, logitBias = 0): { scores: Float64Array; cotangents: Float32Array } {
  const [k, m] = t.shape as [number, number];
  const tau = Math.exp(logitScale);
  let norm = 0;
  for (const v of e) norm += v * v;
  const v = Float64Array.from(e, (x) => (kind === 'cosine' ? x / Math.sqrt(norm) : x));
  const scores = new Float64Array(k);
  const cotangents = new Float32Array(k * m);
  for (let r = 0; r < k; r++) {
    const row = t.data.subarray(r * m, (r + 1) * m);
    const len = Math.sqrt(row.reduce((s, x) => s + x * x, 0));
    if (!(len > 0)) throw new EnvisionError('E_INPUT', `text embedding ${r} has norm 0`);
    let dot = 0;
    for (let i = 0; i < m; i++) dot += (row[i]! / len) * v[i]!;
    scores[r] = tau * dot + (kind === 'cosine' ? logitBias : 0);
    for (let i = 0; i < m; i++) cotangents[r * m + i] = (tau / len) * (v[i]! - dot * (row[i]! / len));
  }
  return { scores, cotangents };
}

/**
 * Join word pieces into words, in the tokenizer's own convention, found from the pieces: WordPiece (`##` continues the
 * previous word), SentencePiece (`▁` starts a word, other pieces continue it) or CLIP's BPE (`</w>` ends a word, other
 * pieces continue into the next). Special tokens (`special[i]`) are left out and end any open word.
 */
export function joinWords(tokens: readonly string[], scores: readonly number[], special: readonly boolean[]): { word: string; ig: number }[] {
  const style = tokens.some((t) => t.endsWith('</w>')) ? 'bpe' : tokens.some((t) => t.startsWith('▁')) ? 'sentencepiece' : 'wordpiece';
  const words: { word: string; ig: number }[] = [];
  let open = false; // the last word may be continued
  tokens.forEach((token, i) => {
    if (special[i]) {
      open = false;
      return;
    }
    let piece = token;
    let continues: boolean;
    if (style === 'wordpiece') {
      continues = open && piece.startsWith('##');
      if (piece.startsWith('##')) piece = piece.slice(2);
      open = true;
    } else if (style === 'sentencepiece') {
      continues = open && !piece.startsWith('▁');
      if (piece.startsWith('▁')) piece = piece.slice(1);
      open = true;
    } else {
      continues = open;
      open = !piece.endsWith('</w>');
      if (!open) piece = piece.slice(0, -4);
    }
    if (continues) {
      const last = words[words.length - 1]!;
      words[words.length - 1] = { word: last.word + piece, ig: last.ig + scores[i]! };
    } else words.push({ word: piece, ig: scores[i]! });
  });
  return words;
}

/** Options of {@link tokenAttributions}. */
export interface TokenAttributionOptions {
  readonly score: TokenScore;
  readonly logitScale: number;
  readonly logitBias?: number;
  /** Gauss–Legendre points of Layer IG. @default 50 */
  readonly steps?: number;
  /** Which tokens are special (left out of words), by string. @default the text side's */
  readonly isSpecial?: (token: string) => boolean;
}

/**
 * Token attributions of texts against a fixed image embedding e: Layer Integrated Gradients at the text encoder's
 * word-embedding output (Captum's semantics: the layer's output is interpolated from its value at the baseline ids,
 * E₀, to E, the real ids fed everywhere else), and saliency × embedding, each summed over the hidden size per token.
 * Each text's score depends on its own row only, so one cotangent row per text gives every text's gradient at once.
 */
export async function tokenAttributions(side: TextSide, texts: readonly string[], e: Float32Array, options: TokenAttributionOptions): Promise<TextTokens[]> {
  const { feeds, baseline, tokens } = side.prepare(texts);
  if (side.model.layer === undefined) throw new EnvisionError('E_METHOD', 'token attributions need a text model that exposes its layers');
  const atE = await side.model.layer(feeds, side.wordEmbeddings);
  const atE0 = await side.model.layer(baseline, side.wordEmbeddings);
  const cut = atE.model;
  const E = atE.activation;
  const E0 = atE0.activation.data;
  const [k, l, h] = E.shape as [number, number, number];
  const perText = l * h;
  const cutFeeds = (activation: Tensor<'float32'>): NamedTensors => {
    const f: NamedTensors = { [side.wordEmbeddings]: activation };
    for (const i of cut.inputs) if (i.name !== side.wordEmbeddings && feeds[i.name] !== undefined) f[i.name] = feeds[i.name]!;
    return f;
  };
  /** ∂s_r/∂E_r for every text r at activation P, and the scores there. */
  const gradientAt = async (P: Tensor<'float32'>): Promise<{ g: Float32Array; scores: Float64Array }> => {
    const out = (await cut.run(cutFeeds(P), [side.output]))[side.output] as Tensor<'float32'>;
    const { scores, cotangents } = textScores(out, e, options.score, options.logitScale, options.logitBias);
    const m = out.shape[1]!;
    const { gradient } = await cut.vjp(cutFeeds(P), side.output, side.wordEmbeddings, tensor('float32', [k, m], cotangents)); // [K, K, L, H]
    const g = new Float32Array(k * perText);
    for (let r = 0; r < k; r++) g.set(gradient.data.subarray((r * k + r) * perText, (r * k + r + 1) * perText), r * perText);
    return { g, scores };
  };
  const { alphas, weights } = quadrature('gausslegendre', options.steps ?? 50);
  const sum = new Float64Array(k * perText);
  for (let j = 0; j < alphas.length; j++) {
    const P = tensor('float32', E.shape, Float32Array.from(E.data, (v, i) => E0[i]! + alphas[j]! * (v - E0[i]!)));
    const { g } = await gradientAt(P);
    for (let i = 0; i < sum.length; i++) sum[i]! += weights[j]! * g[i]!;
  }
  const atReal = await gradientAt(E);
  const atBase = (await gradientAt(atE0.activation)).scores;
  return texts.map((text, r) => {
    const ig: number[] = [];
    const sxe: number[] = [];
    for (let p = 0; p < l; p++) {
      let a = 0;
      let b = 0;
      for (let c = 0; c < h; c++) {
        const i = r * perText + p * h + c;
        a += (E.data[i]! - E0[i]!) * sum[i]!;
        b += E.data[i]! * atReal.g[i]!;
      }
      ig.push(a);
      sxe.push(b);
    }
    const mine = tokens[r]!;
    const special = mine.map((t) => (options.isSpecial ?? side.isSpecial.bind(side))(t));
    const total = ig.reduce((s, v) => s + v, 0); // padding positions included (0 when E = E₀ there)
    return {
      text,
      tokens: mine,
      special,
      ig: ig.slice(0, mine.length),
      saliencyTimesEmbedding: sxe.slice(0, mine.length),
      words: joinWords(mine, ig, special),
      score: atReal.scores[r]!,
      baselineScore: atBase[r]!,
      convergenceDelta: total - (atReal.scores[r]! - atBase[r]!),
    };
  });
}
