import { EnvisionError, type Tensor, formatShape } from '@envision/onnx-grad';
import type { VlmAdapter } from './adapter.js';

/**
 * Zero-shot classification with a dual encoder: for each class, its prompts are embedded as ONE padded batch, text
 * and image embeddings are L2-normalised, each prompt's logit is `exp(logitScale) · cos(text, image) + logitBias`,
 * and a class's prompt logits are reduced to the class logit by their `max` or `mean`. The probabilities follow the
 * model's scoring: a softmax over the classes (CLIP, MedCLIP) or a sigmoid per class (SigLIP).
 */

/** How a class's prompt logits become its class logit: `max` (`ensemble=False`) or `mean` (`ensemble=True`). */
export type Ensemble = 'max' | 'mean';

/**
 * Rows of a `[K, M]` float32 tensor divided by their L2 norm (in float64).
 * @throws EnvisionError `E_INPUT` when a row has norm 0
 */
export function l2NormaliseRows(t: Tensor<'float32'>): Float64Array[] {
  if (t.shape.length !== 2) throw new EnvisionError('E_INPUT', `embeddings must be [K, M], got ${formatShape(t.shape)}`);
  const [k, m] = t.shape as [number, number];
  const rows: Float64Array[] = [];
  for (let r = 0; r < k; r++) {
    const row = Float64Array.from(t.data.subarray(r * m, (r + 1) * m));
    const norm = Math.sqrt(row.reduce((s, v) => s + v * v, 0));
    if (!(norm > 0)) throw new EnvisionError('E_INPUT', `embedding row ${r} has norm ${norm}: it cannot be normalised`);
    for (let j = 0; j < m; j++) row[j]! /= norm;
    rows.push(row);
  }
  return rows;
}

/** The class logit from its prompt logits: their maximum or their mean. */
export function reducePromptLogits(logits: ArrayLike<number>, ensemble: Ensemble): number {
  if (logits.length === 0) throw new EnvisionError('E_INPUT', 'a class needs at least one prompt');
  let acc = ensemble === 'max' ? -Infinity : 0;
  for (let i = 0; i < logits.length; i++) acc = ensemble === 'max' ? Math.max(acc, logits[i]!) : acc + logits[i]!;
  return ensemble === 'max' ? acc : acc / logits.length;
}

/** Softmax of `values` (shifted by their maximum for stability). */
export function softmax(values: readonly number[]): number[] {
  const top = Math.max(...values);
  const e = values.map((v) => Math.exp(v - top));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** σ(z), without overflow for large |z|. */
export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Class name → its prompts. */
export type ClassPrompts = Readonly<Record<string, readonly string[]>>;

/** One class's result for one image. */
export interface ClassScore {
  /** The class name. */
  readonly name: string;
  /** The class logit: max or mean of {@link ClassScore.promptLogits}. */
  readonly logit: number;
  /** Softmax over the classes' logits, or the sigmoid of this class's logit (see {@link Classification.scoring}). */
  readonly probability: number;
  /** `exp(logitScale) · cos(prompt, image) + logitBias` per prompt of the class, in prompt order. */
  readonly promptLogits: readonly number[];
}

/** The classification of one image. */
export interface Classification {
  /** One entry per class, in the prompt set's class order. */
  readonly classes: readonly ClassScore[];
  /** Name of the class with the largest logit (the first one on a tie). */
  readonly predicted: string;
  /** How prompt logits were reduced. */
  readonly ensemble: Ensemble;
  /** `exp(logitScale)`, the factor the cosines were multiplied by. */
  readonly temperature: number;
  /** The bias added to every prompt logit. */
  readonly bias: number;
  /** How {@link ClassScore.probability} was computed. */
  readonly scoring: 'softmax' | 'sigmoid';
}

/** What a zero-shot classifier needs of an adapter. */
export type ZeroShotModel = Pick<VlmAdapter, 'encodeImage' | 'encodeText' | 'logitScale' | 'logitBias' | 'scoring'>;

/** Options of a {@link ZeroShotClassifier}. */
export interface ZeroShotOptions {
  /**
   * How a class's prompt logits are reduced.
   * @default 'max'
   */
  readonly ensemble?: Ensemble;
}

/** Zero-shot classification with a {@link VlmAdapter} (see the module description). */
export class ZeroShotClassifier {
  /** How prompt logits are reduced. */
  readonly ensemble: Ensemble;

  /**
   * @param model - the adapter (its `encodeText` embeds a list of texts as one padded batch)
   * @param options - the reduction
   */
  constructor(
    private readonly model: ZeroShotModel,
    options: ZeroShotOptions = {},
  ) {
    const ensemble = options.ensemble ?? 'max';
    if (ensemble !== 'max' && ensemble !== 'mean') {
      throw new EnvisionError('E_INPUT', `ensemble must be max or mean, got ${JSON.stringify(ensemble)}`);
    }
    this.ensemble = ensemble;
  }

  /**
   * Classifies preprocessed images.
   * @param pixels - float32 `[B, C, H, W]`, as the adapter's `preprocessImage` gives them
   * @param prompts - class → prompts; each class is embedded as one batch
   * @returns one {@link Classification} per image
   */
  async classify(pixels: Tensor<'float32'>, prompts: ClassPrompts): Promise<Classification[]> {
    return this.classifyEmbeddings(await this.model.encodeImage(pixels), prompts);
  }

  /**
   * Classifies images from their (unnormalised) embeddings.
   * @param imageEmbeds - float32 `[B, M]`
   * @param prompts - class → prompts; each class is embedded as one batch
   * @returns one {@link Classification} per image
   * @throws EnvisionError `E_INPUT` for an empty prompt set or class, or embeddings of mismatched sizes
   */
  async classifyEmbeddings(imageEmbeds: Tensor<'float32'>, prompts: ClassPrompts): Promise<Classification[]> {
    const names = Object.keys(prompts);
    if (names.length === 0) throw new EnvisionError('E_INPUT', 'the prompt set has no classes');
    for (const name of names) {
      if (prompts[name]!.length === 0) throw new EnvisionError('E_INPUT', `class ${JSON.stringify(name)} has no prompts`);
    }
    const images = l2NormaliseRows(imageEmbeds);
    const m = imageEmbeds.shape[1]!;
    const temperature = Math.exp(this.model.logitScale);
    const bias = this.model.logitBias ?? 0;
    const scoring = this.model.scoring ?? 'softmax';
    // perClass[c][b] = prompt logits of class c for image b
    const perClass: number[][][] = [];
    for (const name of names) {
      const text = await this.model.encodeText(prompts[name]!);
      if (text.shape[1] !== m) {
        throw new EnvisionError('E_INPUT', `text embeddings of class ${JSON.stringify(name)} are ${formatShape(text.shape)}, image embeddings have M = ${m}`);
      }
      const texts = l2NormaliseRows(text);
      perClass.push(images.map((img) => texts.map((t) => dot(t, img) * temperature + bias)));
    }
    return images.map((_, b) => {
      const logits = perClass.map((c) => reducePromptLogits(c[b]!, this.ensemble));
      const probabilities = scoring === 'sigmoid' ? logits.map(sigmoid) : softmax(logits);
      const classes = names.map((name, c) => ({ name, logit: logits[c]!, probability: probabilities[c]!, promptLogits: perClass[c]![b]! }));
      const best = logits.indexOf(Math.max(...logits));
      return { classes, predicted: names[best]!, ensemble: this.ensemble, temperature, bias, scoring };
    });
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
