import { EnvisionError, type Tensor, type VlmAdapter, formatShape } from '@envision/core';
import type { PromptSet } from './prompts/sets.js';

/**
 * MedCLIP's zero-shot `PromptClassifier` (`medclip/modeling_medclip.py`): for each class, that class's prompts
 * are embedded as ONE padded batch, text and image embeddings are L2-normalised, the prompt logits are
 * `cos(text, image) · exp(logitScale)` with `logitScale` clamped to [0, 4.6052] (MedCLIP's `compute_logits`
 * clamps the parameter in place), and the prompt logits of a class are reduced to the class logit by their
 * `max` (MedCLIP's default, `ensemble=False`) or `mean` (`ensemble=True`). MedCLIP applies no softmax; the
 * softmax over the classes is reported beside the logits, named as such.
 */

/** Upper bound MedCLIP clamps `logit_scale` to: ln(100), so the temperature factor is at most 100. */
export const MAX_LOGIT_SCALE = 4.6052;

/** How a class's prompt logits become its class logit: `max` (`ensemble=False`) or `mean` (`ensemble=True`). */
export type Ensemble = 'max' | 'mean';

/** `logitScale` clamped to [0, {@link MAX_LOGIT_SCALE}], as MedCLIP's `compute_logits` does. */
export function clampLogitScale(logitScale: number): number {
  return Math.min(Math.max(logitScale, 0), MAX_LOGIT_SCALE);
}

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

/** One class's result for one image. */
export interface ClassScore {
  /** The class name. */
  readonly name: string;
  /** The class logit: max or mean of {@link ClassScore.promptLogits}, MedCLIP's output. */
  readonly logit: number;
  /** Softmax over the classes' logits (not part of MedCLIP's output, which stops at the logits). */
  readonly probability: number;
  /** `cos(prompt, image) · exp(clamped logitScale)` per prompt of the class, in prompt order. */
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
  /** `exp(clamped logitScale)`, the factor the cosines were multiplied by. */
  readonly temperature: number;
}

/** Options of a {@link PromptClassifier}. */
export interface PromptClassifierOptions {
  /**
   * How a class's prompt logits are reduced.
   * @default 'max' (MedCLIP's `ensemble=False`)
   */
  readonly ensemble?: Ensemble;
}

/** What the classifier needs of an adapter. */
export type ClassifierModel = Pick<VlmAdapter, 'encodeImage' | 'encodeText' | 'logitScale'>;

/** MedCLIP's `PromptClassifier` on a {@link VlmAdapter} (see the module description). */
export class PromptClassifier {
  /** How prompt logits are reduced. */
  readonly ensemble: Ensemble;

  /**
   * @param model - the adapter (its `encodeText` embeds a list of texts as one padded batch)
   * @param options - the reduction
   */
  constructor(
    private readonly model: ClassifierModel,
    options: PromptClassifierOptions = {},
  ) {
    const ensemble = options.ensemble ?? 'max';
    if (ensemble !== 'max' && ensemble !== 'mean') {
      throw new EnvisionError('E_INPUT', `ensemble must be max or mean, got ${JSON.stringify(ensemble)}`);
    }
    this.ensemble = ensemble;
  }

  /**
   * Classifies preprocessed images.
   * @param pixels - float32 `[B, C, H, W]`, as `preprocessImage` gives them
   * @param prompts - class → prompts; each class is embedded as one batch
   * @returns one {@link Classification} per image
   */
  async classify(pixels: Tensor<'float32'>, prompts: PromptSet): Promise<Classification[]> {
    return this.classifyEmbeddings(await this.model.encodeImage(pixels), prompts);
  }

  /**
   * Classifies images from their (unnormalised) embeddings.
   * @param imageEmbeds - float32 `[B, M]`
   * @param prompts - class → prompts; each class is embedded as one batch
   * @returns one {@link Classification} per image
   * @throws EnvisionError `E_INPUT` for an empty prompt set or class, or embeddings of mismatched sizes
   */
  async classifyEmbeddings(imageEmbeds: Tensor<'float32'>, prompts: PromptSet): Promise<Classification[]> {
    const names = Object.keys(prompts);
    if (names.length === 0) throw new EnvisionError('E_INPUT', 'the prompt set has no classes');
    for (const name of names) {
      if (prompts[name]!.length === 0) throw new EnvisionError('E_INPUT', `class ${JSON.stringify(name)} has no prompts`);
    }
    const images = l2NormaliseRows(imageEmbeds);
    const m = imageEmbeds.shape[1]!;
    const temperature = Math.exp(clampLogitScale(this.model.logitScale));
    // perClass[c][b] = prompt logits of class c for image b
    const perClass: number[][][] = [];
    for (const name of names) {
      const text = await this.model.encodeText(prompts[name]!);
      if (text.shape[1] !== m) {
        throw new EnvisionError('E_INPUT', `text embeddings of class ${JSON.stringify(name)} are ${formatShape(text.shape)}, image embeddings have M = ${m}`);
      }
      const texts = l2NormaliseRows(text);
      perClass.push(images.map((img) => texts.map((t) => dot(t, img) * temperature)));
    }
    return images.map((_, b) => {
      const logits = perClass.map((c) => reducePromptLogits(c[b]!, this.ensemble));
      const probabilities = softmax(logits);
      const classes = names.map((name, c) => ({ name, logit: logits[c]!, probability: probabilities[c]!, promptLogits: perClass[c]![b]! }));
      const best = logits.indexOf(Math.max(...logits));
      return { classes, predicted: names[best]!, ensemble: this.ensemble, temperature };
    });
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
