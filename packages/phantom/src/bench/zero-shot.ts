import { EnvisionError, tensor, type Tensor } from '@envision/core';
import type { BenchModel } from './types.js';

/** Zero-shot accuracy over a set of images, overall and per true class. */
export interface ZeroShotResult {
  /** Correct / counted; NaN when no image counted. */
  readonly accuracy: number;
  /** Images counted. */
  readonly images: number;
  /** Correctly classified images. */
  readonly correct: number;
  /** Per true class (in the prompt set's class order, classes without images left out): images and correct ones. */
  readonly perClass: Readonly<Record<string, { readonly images: number; readonly correct: number }>>;
}

/**
 * The predicted class: the one with the largest logit, the first on a tie (as `argmax`).
 *
 * @param logits - one logit per class
 * @param classes - the class names, in the same order
 * @returns the predicted class name
 * @throws EnvisionError `E_INPUT` when the counts differ or there is no class
 */
export function predictedClass(logits: readonly number[], classes: readonly string[]): string {
  if (logits.length !== classes.length || classes.length === 0) {
    throw new EnvisionError('E_INPUT', `zero-shot: ${logits.length} logits for ${classes.length} classes`);
  }
  let best = 0;
  for (let c = 1; c < logits.length; c++) if (logits[c]! > logits[best]!) best = c;
  return classes[best]!;
}

/**
 * Counts zero-shot predictions of the model's prompt classifier, batching the images: add labelled greyscale images
 * one by one, then {@link ZeroShotTally.finish}. An image whose label is not a class of the prompt set is not counted.
 */
export class ZeroShotTally {
  private readonly pending: { pixels: Tensor<'float32'>; label: string }[] = [];
  private readonly counts = new Map<string, { images: number; correct: number }>();

  /**
   * @param model - preprocessing and prompt classifier
   * @param classes - the prompt set's class names, in the order of the classifier's logits
   * @param batchSize - images per classifier call
   */
  constructor(
    private readonly model: BenchModel,
    private readonly classes: readonly string[],
    private readonly batchSize = 64,
  ) {}

  /**
   * Queues one image (classified when a batch is full).
   * @param grey - `size · size` grey levels
   * @param size - width and height
   * @param label - its true class
   * @returns whether it counts (its label is a class of the prompt set)
   */
  async add(grey: Uint8Array, size: number, label: string): Promise<boolean> {
    if (!this.classes.includes(label)) return false;
    this.pending.push({ pixels: this.model.preprocess(grey, size), label });
    if (this.pending.length >= this.batchSize) await this.flush();
    return true;
  }

  /** Classifies what is queued and returns the tally. */
  async finish(): Promise<ZeroShotResult> {
    await this.flush();
    let images = 0;
    let correct = 0;
    const perClass: Record<string, { images: number; correct: number }> = {};
    for (const name of this.classes) {
      const c = this.counts.get(name);
      if (c === undefined) continue;
      perClass[name] = { ...c };
      images += c.images;
      correct += c.correct;
    }
    return { accuracy: images === 0 ? NaN : correct / images, images, correct, perClass };
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const items = this.pending.splice(0);
    const one = items[0]!.pixels;
    const n = one.data.length;
    const data = new Float32Array(items.length * n);
    items.forEach((it, i) => data.set(it.pixels.data, i * n));
    const logits = await this.model.classify(tensor('float32', [items.length, ...one.shape.slice(1)], data));
    if (logits.length !== items.length) throw new EnvisionError('E_INPUT', `zero-shot: the classifier returned ${logits.length} results for ${items.length} images`);
    items.forEach((it, i) => {
      const c = this.counts.get(it.label) ?? { images: 0, correct: 0 };
      c.images++;
      if (predictedClass(logits[i]!, this.classes) === it.label) c.correct++;
      this.counts.set(it.label, c);
    });
  }
}
