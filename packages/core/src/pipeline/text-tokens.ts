import { EnvisionError, writeFileAtomic } from '@envision/onnx-grad';
import type { VlmAdapter } from '../adapter.js';
import type { ExperimentTarget } from '../config/experiment.js';
import { type TextSide, type TextTokens, joinWords, tokenAttributions } from '../token-attribution.js';
import type { PreparedTarget } from './targets.js';

/** The methods whose items get token attributions, and which of the two scores each shows. */
export const TOKEN_METHODS: Readonly<Record<string, 'ig' | 'saliencyTimesEmbedding'>> = { ig: 'ig', saliency: 'saliencyTimesEmbedding' };

/** The tokens file of an item (`IMAGE/METHOD/TARGET.tokens.json`), as written. */
export interface TokensFile {
  readonly format: 'envision-tokens/1';
  readonly image: string;
  readonly method: string;
  readonly target: string;
  /** What the token scores explain: `dot` (τ⟨t̂, e⟩) or `cosine` (the model's logit τ·cos + b). */
  readonly score: 'dot' | 'cosine';
  /** `ig` (Layer IG at the word embeddings) or `saliencyTimesEmbedding`, per the item's method. */
  readonly shown: 'ig' | 'saliencyTimesEmbedding';
  readonly prompts: readonly TextTokens[];
}

/**
 * Token attributions for the texts of a target with `explain: text`, computed once per image and target and shared by
 * its `ig` and `saliency` items: each class's prompts are explained as they were embedded, one padded batch.
 */
export class TextTokenCache {
  private side: Promise<TextSide> | undefined;
  private readonly computed = new Map<string, Promise<TextTokens[]>>();

  constructor(private readonly adapter: VlmAdapter) {}

  /** The token attributions of `target` at image `image` (embedding `e`), or undefined when not asked for. */
  async of(spec: ExperimentTarget, target: PreparedTarget, image: string, e: Float32Array, steps: number): Promise<TextTokens[] | undefined> {
    if (!('texts' in spec || 'classes' in spec || 'promptSet' in spec) || !('fusion' in spec) || spec.explain !== 'text') return undefined;
    if (this.adapter.textSide === undefined) {
      throw new EnvisionError('E_CONFIG', `target ${target.name}: explain: text needs an adapter with a text side; adapter ${this.adapter.id} has none`);
    }
    const key = `${image}\u0000${target.name}\u0000${steps}`;
    let p = this.computed.get(key);
    if (p === undefined) {
      this.side ??= this.adapter.textSide();
      const side = await this.side;
      const score = spec.fusion.id === 'dot' ? 'dot' : 'cosine';
      const options = { score, logitScale: this.adapter.logitScale, logitBias: this.adapter.logitBias ?? 0, steps, isSpecial: (t: string) => side.isSpecial(t) } as const;
      p = Promise.all(target.classes.map((c) => tokenAttributions(side, c.prompts, e, options))).then((groups) => groups.flat());
      this.computed.set(key, p);
    }
    return p;
  }
}

/** A prompt's words with the shown score summed over each word's pieces (IG's are in the attributions already). */
export function wordScores(prompt: TextTokens, shown: 'ig' | 'saliencyTimesEmbedding'): { word: string; score: number }[] {
  if (shown === 'ig') return prompt.words.map((w) => ({ word: w.word, score: w.ig }));
  return joinWords(prompt.tokens, prompt.saliencyTimesEmbedding, prompt.special).map((w) => ({ word: w.word, score: w.ig }));
}

/** Writes an item's tokens file atomically. */
export async function writeTokensFile(path: string, file: TokensFile): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(file, null, 2) + '\n');
}
