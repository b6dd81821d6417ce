import { readFile } from 'node:fs/promises';
import { EnvisionError, type TokenBatch, padTokenRows } from '@envision/core';

/** Options of {@link VocabTokenizer}. */
export interface VocabTokenizerOptions {
  /** Lowercase texts before the lookup. @default false */
  readonly lowercase?: boolean;
  /** Length every row is padded (and truncated) to, [CLS] and [SEP] included. @default 77 */
  readonly maxLength?: number;
}

/** The special tokens the vocabulary must hold. */
const SPECIAL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'] as const;

/**
 * A whole-word tokenizer over a BERT-style `vocab.txt` (one token per line, the line number is its id): a text is
 * split into words and punctuation marks, each looked up whole (`[UNK]` when absent), framed by `[CLS]` … `[SEP]`,
 * and padded with `[PAD]` to `maxLength`. Every row has the same length, so a text embeds the same alone or in a batch.
 * Replace it with your model's own tokenizer (WordPiece, BPE) to explain a real model.
 */
export class VocabTokenizer {
  private constructor(
    private readonly ids: ReadonlyMap<string, number>,
    private readonly options: Required<VocabTokenizerOptions>,
  ) {}

  /**
   * Reads a vocabulary file.
   * @throws EnvisionError `E_BUNDLE` naming the file when it cannot be read or lacks a special token
   */
  static async load(file: string, options: VocabTokenizerOptions = {}): Promise<VocabTokenizer> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new EnvisionError('E_BUNDLE', `${file}: cannot read the vocabulary (${(e as Error).message})`, e);
    }
    const ids = new Map<string, number>();
    text.split(/\r?\n/).forEach((token, id) => {
      if (token !== '' && !ids.has(token)) ids.set(token, id);
    });
    const missing = SPECIAL.filter((t) => !ids.has(t));
    if (missing.length > 0) throw new EnvisionError('E_BUNDLE', `${file}: the vocabulary lacks ${missing.join(', ')}`);
    const maxLength = options.maxLength ?? 77;
    if (!Number.isInteger(maxLength) || maxLength < 2) throw new EnvisionError('E_CONFIG', `maxLength must be an integer ≥ 2, got ${maxLength}`);
    return new VocabTokenizer(ids, { lowercase: options.lowercase ?? false, maxLength });
  }

  /** The id of a token (the `[UNK]` id for a token not in the vocabulary). */
  id(token: string): number {
    return this.ids.get(token) ?? this.ids.get('[UNK]')!;
  }

  /** Token ids of one text: `[CLS]`, one id per word or punctuation mark, `[SEP]`, at most `maxLength`. */
  encode(text: string): number[] {
    const words = (this.options.lowercase ? text.toLowerCase() : text).match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? [];
    const body = words.slice(0, this.options.maxLength - 2).map((w) => this.id(w));
    return [this.id('[CLS]'), ...body, this.id('[SEP]')];
  }

  /** Ids and attention mask of texts as one batch, int64 `[K, maxLength]`. */
  batch(texts: readonly string[]): TokenBatch {
    return padTokenRows(texts.map((t) => this.encode(t)), this.id('[PAD]'), this.options.maxLength);
  }
}
