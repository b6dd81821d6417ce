import { describe, expect, it } from 'vitest';
import { WordPieceTokenizer, basicTokenize, isPunctuation, parseVocab, wordPiece } from './tokenizer.js';

// A hand-written vocabulary; ids are line numbers.
const VOCAB = [
  '[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', // 0-4
  'the', 'lung', 'left', 'small', 'effusion', // 5-9
  ',', '.', '(', ')', '-', '$', '«', '»', // 10-17
  'un', '##aff', '##able', 'sided', // 18-21
  '3', '5', '##cm', '##5', 'cm', // 22-26
  'cafe', 'café', 'Cafe', 'Cardio', '##megaly', 'cardio', // 27-32
  '肺', '炎', 'mask', '[', ']', // 33-37
];
const INDEX = new Map(VOCAB.map((t, i) => [t, i]));

const cased = new WordPieceTokenizer(VOCAB, { lowercase: false, maxLength: 77 });
const uncased = new WordPieceTokenizer(VOCAB, { lowercase: true, maxLength: 77 });

describe('basicTokenize', () => {
  it('splits off punctuation, ASCII symbols included', () => {
    expect(basicTokenize('left-sided effusion, (small).', false, false)).toEqual(['left', '-', 'sided', 'effusion', ',', '(', 'small', ')', '.']);
    expect(basicTokenize('$5 a^b `x`', false, false)).toEqual(['$', '5', 'a', '^', 'b', '`', 'x', '`']);
  });

  it('treats Unicode punctuation (category P) as punctuation but not symbols (S)', () => {
    expect(basicTokenize('«x» 5°C', false, false)).toEqual(['«', 'x', '»', '5°C']);
    expect(isPunctuation('°')).toBe(false);
    expect(isPunctuation('¿')).toBe(true);
  });

  it('removes control characters and normalises whitespace', () => {
    expect(basicTokenize('a\u0000b\tc\u00a0d\u200be\ufffdf\r\n g', false, false)).toEqual(['ab', 'c', 'def', 'g']);
    expect(basicTokenize('  \n ', false, false)).toEqual([]);
  });

  it('spaces out CJK ideographs', () => {
    expect(basicTokenize('x肺炎y', false, false)).toEqual(['x', '肺', '炎', 'y']);
  });

  it('keeps case and accents when cased, lowercases and strips accents when uncased', () => {
    expect(basicTokenize('Café RÉSUMÉ', false, false)).toEqual(['Café', 'RÉSUMÉ']);
    expect(basicTokenize('Café RÉSUMÉ', true, true)).toEqual(['cafe', 'resume']);
    expect(basicTokenize('Café', true, false)).toEqual(['café']);
    expect(basicTokenize('Café', false, true)).toEqual(['Cafe']);
  });

  it('keeps decomposed accents as they are when cased (no Unicode normalisation)', () => {
    expect(basicTokenize('cafe\u0301', false, false)).toEqual(['cafe\u0301']);
  });
});

describe('wordPiece', () => {
  it('matches greedily, longest first, with ## continuations', () => {
    expect(wordPiece('unaffable', INDEX)).toEqual(['un', '##aff', '##able']);
    expect(wordPiece('35cm', INDEX)).toEqual(['3', '##5', '##cm']);
    expect(wordPiece('Cardiomegaly', INDEX)).toEqual(['Cardio', '##megaly']);
  });

  it('gives [UNK] for a word it cannot cover, even partly', () => {
    expect(wordPiece('unaffablex', INDEX)).toEqual(['[UNK]']);
    expect(wordPiece('xyz', INDEX)).toEqual(['[UNK]']);
  });

  it('gives [UNK] for words over 100 characters (code points)', () => {
    expect(wordPiece('3'.repeat(100), new Map([['3', 0], ['##3', 1]]))).toHaveLength(100);
    expect(wordPiece('3'.repeat(101), new Map([['3', 0], ['##3', 1]]))).toEqual(['[UNK]']);
  });
});

describe('WordPieceTokenizer', () => {
  it('encodes [CLS] … [SEP] (cased)', () => {
    expect(cased.tokenize('Cardiomegaly, left-sided.')).toEqual(['Cardio', '##megaly', ',', 'left', '-', 'sided', '.']);
    expect(cased.encode('the lung')).toEqual([2, 5, 6, 3]);
    expect(cased.encode('')).toEqual([2, 3]);
  });

  it('maps words it cannot cover to [UNK]', () => {
    expect(cased.encode('the pneumothorax')).toEqual([2, 5, 1, 3]);
  });

  it('handles accents by mode', () => {
    expect(cased.tokenize('café Café')).toEqual(['café', '[UNK]']);
    expect(uncased.tokenize('café Café CARDIOmegaly')).toEqual(['cafe', 'cafe', 'cardio', '##megaly']);
  });

  it('keeps special tokens written in the text, case-sensitively', () => {
    expect(cased.tokenize('the [MASK] lung[SEP]')).toEqual(['the', '[MASK]', 'lung', '[SEP]']);
    expect(uncased.tokenize('the [MASK] lung')).toEqual(['the', '[MASK]', 'lung']);
    expect(uncased.tokenize('[mask]')).toEqual(['[', 'mask', ']']);
  });

  it('truncates to maxLength keeping [SEP]', () => {
    const short = new WordPieceTokenizer(VOCAB, { lowercase: false, maxLength: 5 });
    expect(short.encode('the lung left small effusion')).toEqual([2, 5, 6, 7, 3]);
    expect(short.encode('unaffable effusion')).toEqual([2, 18, 19, 20, 3]);
    expect(new WordPieceTokenizer(VOCAB, { lowercase: false, maxLength: 2 }).encode('the lung')).toEqual([2, 3]);
  });

  it('pads a batch to its longest sequence with [PAD] and mask 0', () => {
    const padded = new WordPieceTokenizer(['[UNK]', '[SEP]', 'x', '[PAD]', '[CLS]', 'the', 'lung'], { lowercase: false, maxLength: 77 });
    const { ids, mask } = padded.encodeBatch(['the lung', 'lung', 'the lung the']);
    expect(ids.shape).toEqual([3, 5]);
    expect(Array.from(ids.data, Number)).toEqual([4, 5, 6, 1, 3, /**/ 4, 6, 1, 3, 3, /**/ 4, 5, 6, 5, 1]);
    expect(Array.from(mask.data, Number)).toEqual([1, 1, 1, 1, 0, /**/ 1, 1, 1, 0, 0, /**/ 1, 1, 1, 1, 1]);
  });

  it('pads only to the longest of the batch, not to maxLength', () => {
    const { ids } = cased.encodeBatch(['the']);
    expect(ids.shape).toEqual([1, 3]);
  });

  it('needs the special tokens and at least one text', () => {
    expect(() => new WordPieceTokenizer(['a', '[PAD]'], { lowercase: false, maxLength: 8 }, 'B/vocab.txt')).toThrow(
      'B/vocab.txt lacks the special tokens [UNK], [SEP], [CLS]',
    );
    expect(() => cased.encodeBatch([])).toThrow('tokenize: give at least one text');
  });
});

describe('parseVocab', () => {
  it('reads one token a line with universal newlines, a last newline adding nothing', () => {
    expect(parseVocab('a\nb\r\nc\rd\n')).toEqual(['a', 'b', 'c', 'd']);
    expect(parseVocab('a\n\nb')).toEqual(['a', '', 'b']);
  });

  it('lets a repeated token keep its last id, as HuggingFace', () => {
    const t = new WordPieceTokenizer(['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'x', 'x'], { lowercase: false, maxLength: 8 });
    expect(t.encode('x')).toEqual([2, 5, 3]);
  });
});
