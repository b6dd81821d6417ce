import { type Ensemble, type Tensor, type VlmAdapter, ZeroShotClassifier } from '@envision/core';

/**
 * MedCLIP's zero-shot `PromptClassifier` (`medclip/modeling_medclip.py`): for each class, that class's prompts
 * are embedded as ONE padded batch, text and image embeddings are L2-normalised, the prompt logits are
 * `cos(text, image) · exp(logitScale)` with `logitScale` clamped to [0, 4.6052] (MedCLIP's `compute_logits`
 * clamps the parameter in place), and the prompt logits of a class are reduced to the class logit by their
 * `max` (MedCLIP's default, `ensemble=False`) or `mean` (`ensemble=True`). MedCLIP applies no softmax; the
 * softmax over the classes is reported beside the logits, named as such. Core's {@link ZeroShotClassifier} does the
 * arithmetic; this class adds MedCLIP's clamp and its defaults.
 */

/** Upper bound MedCLIP clamps `logit_scale` to: ln(100), so the temperature factor is at most 100. */
export const MAX_LOGIT_SCALE = 4.6052;

/** `logitScale` clamped to [0, {@link MAX_LOGIT_SCALE}], as MedCLIP's `compute_logits` does. */
export function clampLogitScale(logitScale: number): number {
  return Math.min(Math.max(logitScale, 0), MAX_LOGIT_SCALE);
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

/** MedCLIP's `PromptClassifier` on a {@link VlmAdapter} (see the module description): softmax, no bias, clamped scale. */
export class PromptClassifier extends ZeroShotClassifier {
  /**
   * @param model - the adapter (its `encodeText` embeds a list of texts as one padded batch)
   * @param options - the reduction
   */
  constructor(model: ClassifierModel, options: PromptClassifierOptions = {}) {
    super(
      {
        encodeImage: (pixels: Tensor<'float32'>) => model.encodeImage(pixels),
        encodeText: (texts: readonly string[]) => model.encodeText(texts),
        logitScale: clampLogitScale(model.logitScale),
        logitBias: 0,
        scoring: 'softmax',
      },
      options,
    );
  }
}
