import { describe, expect, it } from 'vitest';
import { tensor } from '@envision/onnx-grad';
import { joinWords, textScores } from './token-attribution.js';

describe('joinWords', () => {
  it('WordPiece: ## pieces continue the word; special tokens are left out', () => {
    expect(joinWords(['[CLS]', 'pleural', 'effusion', '##s', '[SEP]'], [9, 1, 2, 3, 9], [true, false, false, false, true])).toEqual([
      { word: 'pleural', ig: 1 },
      { word: 'effusions', ig: 5 },
    ]);
  });
  it("SentencePiece: ▁ starts a word; CLIP's BPE: </w> ends one", () => {
    expect(joinWords(['▁pleur', 'al', '▁eff', 'usion', '</s>'], [1, 2, 3, 4, 0], [false, false, false, false, true]).map((w) => [w.word, w.ig])).toEqual([
      ['pleural', 3],
      ['effusion', 7],
    ]);
    expect(joinWords(['<|startoftext|>', 'pleu', 'ral</w>', 'x</w>'], [0, 1, 2, 4], [true, false, false, false]).map((w) => [w.word, w.ig])).toEqual([
      ['pleural', 3],
      ['x', 4],
    ]);
  });
});

describe('textScores', () => {
  it('gives τ⟨t̂, v⟩ (+ b for cosine) and its gradient, against finite differences', () => {
    const e = Float32Array.of(0.3, -1.2, 0.5);
    const t = tensor('float32', [2, 3], Float32Array.of(1, 2, -1, 0.5, 0.1, 2));
    for (const kind of ['dot', 'cosine'] as const) {
      const { scores, cotangents } = textScores(t, e, kind, Math.log(5), 0.7);
      const eNorm = Math.hypot(...e);
      const row0 = [1, 2, -1];
      const len = Math.hypot(...row0);
      const v = kind === 'cosine' ? Array.from(e, (x) => x / eNorm) : Array.from(e);
      expect(scores[0]).toBeCloseTo((5 * row0.reduce((s, x, i) => s + (x / len) * v[i]!, 0)) + (kind === 'cosine' ? 0.7 : 0), 10);
      for (let i = 0; i < 3; i++) {
        const h = 1e-4;
        const plus = Float32Array.from(t.data);
        const minus = Float32Array.from(t.data);
        plus[i]! += h;
        minus[i]! -= h;
        const fd = (textScores(tensor('float32', [2, 3], plus), e, kind, Math.log(5)).scores[0]! - textScores(tensor('float32', [2, 3], minus), e, kind, Math.log(5)).scores[0]!) / (2 * h);
        expect(cotangents[i]).toBeCloseTo(fd, 3);
      }
    }
  });
});
