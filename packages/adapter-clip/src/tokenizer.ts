import { Tokenizer } from '@huggingface/tokenizers';
import { EnvisionError, type TokenBatch, describeCause, padTokenRows } from '@envision/core';

/** How a batch of texts is padded: to its longest text (CLIP), or every text to `maxLength` (SigLIP, BiomedCLIP). */
export type Padding = 'longest' | 'max_length';

/** Options of a {@link HfTokenizer}. */
export interface HfTokenizerOptions {
  readonly padding: Padding;
  /** Longest sequence, special tokens included; longer texts are truncated, keeping the final special tokens. */
  readonly maxLength: number;
  /** Id written into padding positions. */
  readonly padId: number;
}

/**
 * A `tokenizer.json` tokenizer with Python HF's `tokenizer(texts, padding=…, truncation=True)` on top:
 * `@huggingface/tokenizers` encodes (normaliser, pre-tokeniser, model and post-processor exactly as the Rust library
 * does), and this class truncates and pads as Python does — truncation removes content tokens from the end and
 * keeps the special tokens the post-processor adds (transformers.js drops the final one instead); padding appends
 * `padId` with a 0 in the attention mask.
 */
export class HfTokenizer {
  /**
   * @param tokenizer - the loaded `tokenizer.json`
   * @param options - padding, truncation length and pad id
   */
  constructor(
    readonly tokenizer: Tokenizer,
    readonly options: HfTokenizerOptions,
  ) {}

  /**
   * Builds the tokenizer from the parsed `tokenizer.json` and `tokenizer_config.json`.
   * @throws EnvisionError `E_BUNDLE` naming `source` when the library rejects the files
   */
  static fromJson(tokenizerJson: object, tokenizerConfig: object, options: HfTokenizerOptions, source: string): HfTokenizer {
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
    } catch (e) {
      throw new EnvisionError('E_BUNDLE', `${source}: cannot build the tokenizer: ${describeCause(e)}`, e);
    }
    const h = new HfTokenizer(tokenizer, options);
    const specials = h.encodeOne('').length;
    if (specials >= options.maxLength) {
      throw new EnvisionError('E_BUNDLE', `${source}: a maximum length of ${options.maxLength} leaves no room beside ${specials} special tokens`);
    }
    return h;
  }

  /** The ids of one text with its special tokens, truncated to `maxLength` keeping the special tokens. */
  encodeOne(text: string): number[] {
    const full: number[] = this.tokenizer.encode(text, { add_special_tokens: true }).ids;
    if (full.length <= this.options.maxLength) return full;
    const content: number[] = this.tokenizer.encode(text, { add_special_tokens: false }).ids;
    // A single-text template is prefix + content + suffix: find where the content sits in the full encoding.
    const extra = full.length - content.length;
    let at = 0;
    while (at <= extra && !content.every((id, i) => full[at + i] === id)) at++;
    if (at > extra) throw new EnvisionError('E_INPUT', `cannot truncate ${JSON.stringify(text.slice(0, 40))}: the post-processor does not keep the text's tokens in one piece`);
    const keep = this.options.maxLength - extra;
    return [...full.slice(0, at), ...content.slice(0, keep), ...full.slice(at + content.length)];
  }

  /** Tokenises texts as ONE padded batch: int64 `input_ids` and `attention_mask`, `[K, L]`. */
  encodeBatch(texts: readonly string[]): TokenBatch {
    const rows = texts.map((t) => this.encodeOne(t));
    return padTokenRows(rows, this.options.padId, this.options.padding === 'max_length' ? this.options.maxLength : undefined);
  }

}
