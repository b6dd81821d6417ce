import { fileURLToPath } from 'node:url';
import { type Tensor, tensor } from '@envision/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MedClipAdapter } from './adapter.js';
import { type ClassifierModel, MAX_LOGIT_SCALE, PromptClassifier, clampLogitScale, l2NormaliseRows, reducePromptLogits, softmax } from './index.js';
import { TextEmbeddingCache } from './text-cache.js';

const FIXTURE = fileURLToPath(new URL('../../../fixtures/tiny-dual', import.meta.url));
const IMAGE = fileURLToPath(new URL('../../../fixtures/images/cxr-a.png', import.meta.url));

/** A model whose text embeddings are given per batch; records the batches it was asked for. */
function fakeModel(logitScale: number, embeds: Record<string, number[][]>): ClassifierModel & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    logitScale,
    calls,
    encodeImage: () => Promise.reject(new Error('not used')),
    encodeText: (texts) => {
      calls.push([...texts]);
      const rows = embeds[JSON.stringify(texts)]!;
      return Promise.resolve(tensor('float32', [rows.length, rows[0]!.length], Float32Array.from(rows.flat())));
    },
  };
}

const image = (rows: number[][]): Tensor<'float32'> => tensor('float32', [rows.length, rows[0]!.length], Float32Array.from(rows.flat()));

describe('pieces', () => {
  it('clamps the logit scale to [0, 4.6052]', () => {
    expect(clampLogitScale(2.5)).toBe(2.5);
    expect(clampLogitScale(-1)).toBe(0);
    expect(clampLogitScale(9)).toBe(MAX_LOGIT_SCALE);
  });

  it('reduces by max or mean', () => {
    expect(reducePromptLogits([1, 5, 3], 'max')).toBe(5);
    expect(reducePromptLogits([1, 5, 3], 'mean')).toBe(3);
    expect(() => reducePromptLogits([], 'max')).toThrow('a class needs at least one prompt');
  });

  it('softmax sums to one and is shift-invariant', () => {
    const p = softmax([1, 2, 3]);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 15);
    expect(p[2]).toBeCloseTo(Math.exp(3) / (Math.exp(1) + Math.exp(2) + Math.exp(3)), 15);
    expect(softmax([1001, 1002, 1003])).toEqual(p);
  });

  it('normalises rows and refuses a zero row', () => {
    const [r] = l2NormaliseRows(image([[3, 4]]));
    expect(Array.from(r!)).toEqual([0.6, 0.8]);
    expect(() => l2NormaliseRows(image([[0, 0]]))).toThrow('embedding row 0 has norm 0');
  });
});

describe('PromptClassifier on hand-made embeddings', () => {
  // image (1, 0); class A prompts at 0° and 90° (cos 1 and 0), class B's at cos 0.6
  const embeds = {
    [JSON.stringify(['a1', 'a2'])]: [
      [2, 0],
      [0, 5],
    ],
    [JSON.stringify(['b1'])]: [[3, 4]],
  };
  const prompts = { A: ['a1', 'a2'], B: ['b1'] };

  it('embeds each class as one batch and reduces by max (the default)', async () => {
    const model = fakeModel(Math.log(10), embeds);
    const [r] = await new PromptClassifier(model).classifyEmbeddings(image([[7, 0]]), prompts);
    expect(model.calls).toEqual([['a1', 'a2'], ['b1']]);
    expect(r!.ensemble).toBe('max');
    expect(r!.temperature).toBeCloseTo(10, 12);
    expect(r!.classes.map((c) => c.name)).toEqual(['A', 'B']);
    expect(r!.classes[0]!.promptLogits[0]).toBeCloseTo(10, 12);
    expect(r!.classes[0]!.promptLogits[1]).toBeCloseTo(0, 12);
    expect(r!.classes[0]!.logit).toBeCloseTo(10, 12);
    expect(r!.classes[1]!.logit).toBeCloseTo(6, 12);
    expect(r!.predicted).toBe('A');
    const e = Math.exp(10) + Math.exp(6);
    expect(r!.classes[0]!.probability).toBeCloseTo(Math.exp(10) / e, 12);
  });

  it('reduces by mean', async () => {
    const [r] = await new PromptClassifier(fakeModel(Math.log(10), embeds), { ensemble: 'mean' }).classifyEmbeddings(image([[1, 0]]), prompts);
    expect(r!.classes[0]!.logit).toBeCloseTo(5, 12);
    expect(r!.classes[1]!.logit).toBeCloseTo(6, 12);
    expect(r!.predicted).toBe('B');
  });

  it('clamps the temperature at 100 and at 1', async () => {
    const [hot] = await new PromptClassifier(fakeModel(10, embeds)).classifyEmbeddings(image([[1, 0]]), prompts);
    expect(hot!.temperature).toBeCloseTo(Math.exp(4.6052), 12);
    expect(hot!.classes[0]!.logit).toBeCloseTo(100.003, 3);
    const [cold] = await new PromptClassifier(fakeModel(-3, embeds)).classifyEmbeddings(image([[1, 0]]), prompts);
    expect(cold!.classes[1]!.logit).toBeCloseTo(0.6, 12);
  });

  it('classifies a batch of images, one result each', async () => {
    const results = await new PromptClassifier(fakeModel(0, embeds)).classifyEmbeddings(image([[1, 0], [0, 1]]), prompts);
    expect(results.map((r) => r.predicted)).toEqual(['A', 'A']);
    expect(results[1]!.classes[1]!.logit).toBeCloseTo(0.8, 12);
  });

  it('rejects empty sets and classes, and a bad ensemble', async () => {
    const c = new PromptClassifier(fakeModel(0, embeds));
    await expect(c.classifyEmbeddings(image([[1, 0]]), {})).rejects.toThrow('the prompt set has no classes');
    await expect(c.classifyEmbeddings(image([[1, 0]]), { A: [] })).rejects.toThrow('class "A" has no prompts');
    expect(() => new PromptClassifier(fakeModel(0, embeds), { ensemble: 'sum' as 'max' })).toThrow('ensemble must be max or mean, got "sum"');
  });
});

describe('PromptClassifier on the tiny-dual bundle, against logits computed by hand from its embeddings', () => {
  let adapter: MedClipAdapter;
  beforeAll(async () => {
    adapter = await MedClipAdapter.load(FIXTURE, { textCache: new TextEmbeddingCache() });
  });
  afterAll(async () => {
    await adapter.dispose();
  });

  const prompts = {
    Atelectasis: ['mild linear atelectasis at the mid lung zone', 'Atelectasis'],
    Cardiomegaly: ['Cardiomegaly'],
    'Pleural Effusion': ['small bilateral pleural effusions.', 'Pleural Effusion', 'pleural effusion'],
  };

  for (const ensemble of ['max', 'mean'] as const) {
    it(`ensemble ${ensemble}`, async () => {
      const pixels = await adapter.preprocessImage(IMAGE);
      const [result] = await new PromptClassifier(adapter, { ensemble }).classify(pixels, prompts);
      const img = Array.from((await adapter.encodeImage(pixels)).data);
      const scale = Math.exp(Math.min(Math.max(adapter.logitScale, 0), 4.6052));
      const expected: number[] = [];
      for (const list of Object.values(prompts)) {
        const t = await adapter.encodeText(list); // the class's prompts as one batch
        const m = t.shape[1]!;
        const logits = list.map((_, k) => {
          const row = Array.from(t.data.subarray(k * m, (k + 1) * m));
          const cos = row.reduce((s, v, j) => s + v * img[j]!, 0) / Math.hypot(...row) / Math.hypot(...img);
          return cos * scale;
        });
        expected.push(ensemble === 'max' ? Math.max(...logits) : logits.reduce((a, b) => a + b, 0) / logits.length);
      }
      expect(result!.classes.map((c) => c.name)).toEqual(Object.keys(prompts));
      result!.classes.forEach((c, i) => expect(c.logit).toBeCloseTo(expected[i]!, 10));
      expect(result!.predicted).toBe(Object.keys(prompts)[expected.indexOf(Math.max(...expected))]);
      const z = expected.reduce((s, v) => s + Math.exp(v), 0);
      result!.classes.forEach((c, i) => expect(c.probability).toBeCloseTo(Math.exp(expected[i]!) / z, 10));
    });
  }

  it('differs from embedding each prompt alone (the batch padding matters)', async () => {
    const pixels = await adapter.preprocessImage(IMAGE);
    const [batched] = await new PromptClassifier(adapter).classify(pixels, prompts);
    const img = await adapter.encodeImage(pixels);
    const alone = await adapter.encodeText([prompts.Atelectasis[1]!]);
    const a = Array.from(alone.data);
    const i = Array.from(img.data);
    const cos = a.reduce((s, v, j) => s + v * i[j]!, 0) / Math.hypot(...a) / Math.hypot(...i);
    expect(Math.abs(cos * Math.exp(adapter.logitScale) - batched!.classes[0]!.promptLogits[1]!)).toBeGreaterThan(1e-4);
  });
});
