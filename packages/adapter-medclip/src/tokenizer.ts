import { EnvisionError, type TokenBatch, padTokenRows } from '@envision/core';

/**
 * BERT's WordPiece tokenizer exactly as HuggingFace's `BertTokenizer` (transformers 4.23–4.24, the versions
 * MedCLIP pins) called with `padding=True, truncation=True`:
 *
 * 1. special tokens written in the text (`[MASK]`, …) are kept whole;
 * 2. BasicTokenizer: drop NUL, U+FFFD and control characters, turn whitespace into spaces, space out CJK
 *    ideographs, split on whitespace, optionally lowercase and strip accents (NFD, drop Mn), split off every
 *    punctuation character (ASCII 33–47, 58–64, 91–96, 123–126, and Unicode P*);
 * 3. WordPiece: greedy longest match first, `##` on continuations, a word over 100 characters or with no
 *    match becomes `[UNK]`;
 * 4. `[CLS] … [SEP]`, truncated to `maxLength` keeping `[SEP]`, and the batch right-padded to its longest
 *    sequence with `[PAD]` (mask 0).
 */

/** Options of a {@link WordPieceTokenizer}: the bundle's `tokenizer` section. */
export interface TokenizerOptions {
  /** Lowercase before WordPiece (BERT uncased). */
  readonly lowercase: boolean;
  /** Longest sequence, `[CLS]` and `[SEP]` included. */
  readonly maxLength: number;
  /**
   * Strip accents (NFD, then drop combining marks).
   * @default the value of `lowercase`, as BERT does
   */
  readonly stripAccents?: boolean;
}

/** BERT's special tokens; written in a text they are kept as one token. */
export const SPECIAL_TOKENS: readonly string[] = ['[UNK]', '[SEP]', '[PAD]', '[CLS]', '[MASK]'];

/** The special tokens a vocabulary must hold. */
const REQUIRED: readonly string[] = ['[UNK]', '[SEP]', '[PAD]', '[CLS]'];

/** Longest word WordPiece splits; longer words become `[UNK]`. */
export const MAX_CHARS_PER_WORD = 100;

/**
 * The tokens of a `vocab.txt`, one a line, as HuggingFace's `load_vocab` reads them (universal newlines;
 * a trailing newline ends the last line rather than adding an empty token). A token's id is its line index.
 */
export function parseVocab(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const isControl = (ch: string): boolean => ch !== '\t' && ch !== '\n' && ch !== '\r' && /\p{C}/u.test(ch);
const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || /\p{Zs}/u.test(ch);

/** BERT's punctuation: every non-alphanumeric printable ASCII character, and Unicode category P*. */
export function isPunctuation(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) return true;
  return /\p{P}/u.test(ch);
}

/** CJK Unified Ideographs (and extensions, compatibility ideographs) that BERT spaces out. */
export function isCjk(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** Python's `str.split()` for text already cleaned by BERT (only spaces, U+2028 and U+2029 can remain). */
function splitWhitespace(text: string): string[] {
  return text.split(/\s+/u).filter((t) => t.length > 0);
}

function splitOnPunctuation(word: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const ch of word) {
    if (isPunctuation(ch)) {
      if (current !== '') out.push(current);
      out.push(ch);
      current = '';
    } else current += ch;
  }
  if (current !== '') out.push(current);
  return out;
}

/**
 * BERT's BasicTokenizer: clean, space out CJK, split on whitespace, lowercase / strip accents, split punctuation.
 *
 * @param text - one text (without special tokens)
 * @param lowercase - lowercase every word
 * @param stripAccents - NFD-decompose and drop combining marks (Mn)
 */
export function basicTokenize(text: string, lowercase: boolean, stripAccents: boolean): string[] {
  let cleaned = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0 || cp === 0xfffd || isControl(ch)) continue;
    if (isWhitespace(ch)) cleaned += ' ';
    else if (isCjk(cp)) cleaned += ` ${ch} `;
    else cleaned += ch;
  }
  const out: string[] = [];
  for (let word of splitWhitespace(cleaned)) {
    if (lowercase) word = word.toLowerCase();
    if (stripAccents) word = word.normalize('NFD').replace(/\p{Mn}/gu, '');
    out.push(...splitOnPunctuation(word));
  }
  // BERT joins the pieces and splits them on whitespace once more.
  return splitWhitespace(out.join(' '));
}

/**
 * WordPiece on one word: greedy longest-match-first against the vocabulary, continuations prefixed `##`.
 *
 * @returns the pieces, or `[unk]` when the word is longer than {@link MAX_CHARS_PER_WORD} or cannot be covered
 */
export function wordPiece(word: string, vocab: ReadonlyMap<string, number>, unk = '[UNK]'): string[] {
  const chars = Array.from(word);
  if (chars.length > MAX_CHARS_PER_WORD) return [unk];
  const pieces: string[] = [];
  let start = 0;
  while (start < chars.length) {
    let end = chars.length;
    let found: string | undefined;
    while (start < end) {
      const piece = (start > 0 ? '##' : '') + chars.slice(start, end).join('');
      if (vocab.has(piece)) {
        found = piece;
        break;
      }
      end--;
    }
    if (found === undefined) return [unk];
    pieces.push(found);
    start = end;
  }
  return pieces;
}

/** Splits a text around the special tokens written in it (HuggingFace's no-split-token trie). */
function splitOnSpecialTokens(text: string): string[] {
  const parts: string[] = [];
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '[') continue;
    const special = SPECIAL_TOKENS.find((s) => text.startsWith(s, i));
    if (special === undefined) continue;
    parts.push(text.slice(last, i), special);
    last = i + special.length;
    i = last - 1;
  }
  parts.push(text.slice(last));
  return parts;
}

/** A BERT WordPiece tokenizer over a vocabulary (see the module description for the exact rules). */
export class WordPieceTokenizer {
  private readonly index = new Map<string, number>();
  private readonly stripAccents: boolean;
  /** Id of `[PAD]`. */
  readonly padId: number;
  /** Id of `[CLS]`. */
  readonly clsId: number;
  /** Id of `[SEP]`. */
  readonly sepId: number;
  /** Id of `[UNK]`. */
  readonly unkId: number;

  /**
   * @param vocab - the tokens, id = position (a repeated token keeps its last position, as HuggingFace)
   * @param options - lowercasing and maximum length
   * @param source - names the vocabulary in messages
   * @throws EnvisionError `E_BUNDLE` when a required special token is missing or `maxLength` < 2
   */
  constructor(
    private readonly vocab: readonly string[],
    readonly options: TokenizerOptions,
    source = 'vocabulary',
  ) {
    vocab.forEach((token, id) => this.index.set(token, id));
    const missing = REQUIRED.filter((t) => !this.index.has(t));
    if (missing.length > 0) throw new EnvisionError('E_BUNDLE', `${source} lacks the special token${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
    if (!Number.isInteger(options.maxLength) || options.maxLength < 2) {
      throw new EnvisionError('E_BUNDLE', `${source}: maxLength must be an integer >= 2 ([CLS] and [SEP]), got ${options.maxLength}`);
    }
    this.stripAccents = options.stripAccents ?? options.lowercase;
    this.padId = this.index.get('[PAD]')!;
    this.clsId = this.index.get('[CLS]')!;
    this.sepId = this.index.get('[SEP]')!;
    this.unkId = this.index.get('[UNK]')!;
  }

  /** The token of an id (its line in the vocabulary), or `[UNK]` for an id out of range. */
  idToToken(id: number): string {
    return this.vocab[id] ?? '[UNK]';
  }

  /** Number of entries of the vocabulary (distinct tokens). */
  get vocabSize(): number {
    return this.index.size;
  }

  /** The WordPiece tokens of one text, without `[CLS]`/`[SEP]` and without truncation. */
  tokenize(text: string): string[] {
    const tokens: string[] = [];
    splitOnSpecialTokens(text).forEach((part, i) => {
      if (i % 2 === 1) tokens.push(part);
      else for (const word of basicTokenize(part, this.options.lowercase, this.stripAccents)) tokens.push(...wordPiece(word, this.index));
    });
    return tokens;
  }

  /** Ids of `[CLS] tokens [SEP]` for one text, tokens truncated so the whole fits `maxLength`. */
  encode(text: string): number[] {
    const tokens = this.tokenize(text).slice(0, this.options.maxLength - 2);
    return [this.clsId, ...tokens.map((t) => this.index.get(t) ?? this.unkId), this.sepId];
  }

  /**
   * Encodes texts as one batch padded to its longest sequence (`padding=True, truncation=True`).
   * @returns int64 ids and attention mask, `[K, L]` each
   * @throws EnvisionError `E_INPUT` for an empty list
   */
  encodeBatch(texts: readonly string[]): TokenBatch {
    return padTokenRows(texts.map((t) => this.encode(t)), this.padId);
  }

}
