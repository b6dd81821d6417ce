import { describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '@envision/onnx-grad';
import { ZeroShotClassifier, sigmoid } from './zero-shot.js';

/** A model whose image embedding is (3, 4) and whose texts embed as listed. */
function model(texts: Record<string, number[]>, extra: { logitBias?: number; scoring?: 'softmax' | 'sigmoid' } = {}) {
  return {
    logitScale: Math.log(10),
    ...extra,
    encodeImage: async (): Promise<Tensor<'float32'>> => tensor('float32', [1, 2], Float32Array.of(3, 4)),
    encodeText: async (batch: readonly string[]) => tensor('float32', [batch.length, 2], Float32Array.from(batch.flatMap((t) => texts[t]!))),
  };
}

describe('ZeroShotClassifier', () => {
  const texts = { a: [1, 0], b: [0, 2], c: [1, 1] };
  // cosines with (3, 4)/5: a 0.6, b 0.8, c 7/(5√2)
  it('softmax scoring: τ·cos per prompt, max per class, softmax over classes (hand-computed)', async () => {
    const [r] = await new ZeroShotClassifier(model(texts)).classify(tensor('float32', [1, 1], Float32Array.of(0)), { A: ['a', 'c'], B: ['b'] });
    expect(r!.scoring).toBe('softmax');
    expect(r!.classes[0]!.promptLogits[0]).toBeCloseTo(6, 5);
    expect(r!.classes[0]!.logit).toBeCloseTo(70 / (5 * Math.SQRT2), 5);
    const [la, lb] = [70 / (5 * Math.SQRT2), 8];
    expect(r!.classes[1]!.probability).toBeCloseTo(Math.exp(lb) / (Math.exp(la) + Math.exp(lb)), 6);
    expect(r!.predicted).toBe('A'); // 9.90 > 8
  });

  it('sigmoid scoring with a bias: σ(τ·cos + b) per class, not summing to one (SigLIP)', async () => {
    const [r] = await new ZeroShotClassifier(model(texts, { logitBias: -7, scoring: 'sigmoid' }), { ensemble: 'mean' }).classify(
      tensor('float32', [1, 1], Float32Array.of(0)),
      { A: ['a'], B: ['b'] },
    );
    expect(r!.bias).toBe(-7);
    expect(r!.classes.map((c) => c.logit)).toEqual([expect.closeTo(-1, 5), expect.closeTo(1, 5)]);
    expect(r!.classes[0]!.probability).toBeCloseTo(1 / (1 + Math.E), 6);
    expect(r!.classes[1]!.probability).toBeCloseTo(1 / (1 + Math.exp(-1)), 6);
  });

  it('sigmoid is stable far from zero', () => {
    expect(sigmoid(-1000)).toBe(0);
    expect(sigmoid(1000)).toBe(1);
    expect(sigmoid(0)).toBe(0.5);
  });
});
