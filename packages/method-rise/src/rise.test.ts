import { describe, it, expect } from 'vitest';
import { attribute, isLinearInTarget, oneHotWeights, tensor, type AttributionMethod, type Model, type OutputHead, type Tensor } from '@envision/core';
import { drawRiseMasks, riseMask } from './masks.js';
import { rise, type RiseOptions } from './rise.js';

// Models written in JavaScript, so that every map can be computed by hand from the same masks.
// x is [1, C, H, W] = [1, 2, 3, 4]; the models output y [B, 3] = [Σ x, x at pixel (c 0, h 1, w 2), 5].
const [C, H, W] = [2, 3, 4];
const PIXEL = 1 * W + 2;
function makeModel(batch: number | string = 'batch'): Model & { calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    inputs: [{ name: 'x', dtype: 'float32', shape: [batch as number, C, H, W] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: [batch as number, 3] }],
    run: (feeds) => {
      const t = feeds.x as Tensor<'float32'>;
      const b = t.shape[0]!;
      calls.push(b);
      const n = C * H * W;
      const y = new Float32Array(b * 3);
      for (let i = 0; i < b; i++) {
        const xi = t.data.subarray(i * n, (i + 1) * n);
        y[i * 3] = xi.reduce((a, v) => a + v, 0);
        y[i * 3 + 1] = xi[PIXEL]!;
        y[i * 3 + 2] = 5;
      }
      return Promise.resolve({ y: tensor('float32', [b, 3], y) });
    },
  };
}
const x = tensor('float32', [1, C, H, W], Float32Array.from({ length: C * H * W }, (_, i) => 0.25 + ((i * 7) % 11) / 10));
const identity = tensor('float32', [3, 3], Float32Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1));

const run = (options: Partial<RiseOptions>, extra: { model?: Model; weights?: Tensor<'float32'>; head?: OutputHead; strategy?: 'direct' | 'jacobian'; input?: Tensor<'float32'>; onProgress?: (d: number, t: number) => void } = {}) =>
  attribute({
    method: rise as unknown as AttributionMethod,
    options: options as Record<string, unknown>,
    model: extra.model ?? makeModel(),
    inputs: { x: extra.input ?? x },
    wrt: 'x',
    of: 'y',
    weights: extra.weights ?? identity,
    strategy: extra.strategy ?? 'direct',
    head: extra.head,
    onProgress: extra.onProgress,
  });

/** Σ_n f(n, mask n) · M_n / (N p) in float64, with the method's own masks: the definition, written out. */
function byHand(o: RiseOptions, f: (mask: Float32Array) => number): Float64Array {
  const d = drawRiseMasks(o.masks, o.cells, o.probability, H, W, o.seed);
  const s = new Float64Array(H * W);
  for (let n = 0; n < o.masks; n++) {
    const m = riseMask(d, n);
    const v = f(m);
    for (let i = 0; i < H * W; i++) s[i]! += (v * m[i]!) / (o.masks * o.probability);
  }
  return s;
}
const options = (o: Partial<RiseOptions> = {}): RiseOptions => ({ ...(rise.meta.defaultOptions as RiseOptions), ...o });

/** Row r of a [K, C, H, W] map, channel c. */
const plane = (maps: Tensor<'float32'>, r: number, c: number) => maps.data.subarray((r * C + c) * H * W, (r * C + c + 1) * H * W);

describe('rise: hand-computed cases', () => {
  it('p = 1 keeps every pixel: every mask is 1, so the map is F_k(x) at every pixel and channel', async () => {
    const { maps } = await run({ masks: 5, probability: 1, cells: 2 });
    expect(maps.shape).toEqual([3, C, H, W]);
    const sum = x.data.reduce((a, v) => a + v, 0);
    for (const [r, f] of [sum, x.data[PIXEL]!, 5].entries()) {
      for (let c = 0; c < C; c++) for (const v of plane(maps, r, c)) expect(v).toBeCloseTo(Math.fround(f), 5);
    }
  });

  it('a constant output c has the expectation c · E[M] / p = c everywhere (Monte Carlo, N = 2000)', async () => {
    const { maps } = await run({ masks: 2000, cells: 2 }, { weights: oneHotWeights([3], 2) });
    for (const v of maps.data) expect(Math.abs(v - 5)).toBeLessThan(0.25);
  });

  it('one pixel: S(i) = Σ_n M_n(pixel) x(pixel) M_n(i) / (N p), the same on both channels', async () => {
    const o = options({ masks: 300, cells: 2, seed: 4 });
    const { maps } = await run(o, { weights: oneHotWeights([3], 1) });
    const expected = byHand(o, (m) => Math.fround(x.data[PIXEL]! * m[PIXEL]!));
    for (let c = 0; c < C; c++) {
      const got = plane(maps, 0, c);
      for (let i = 0; i < H * W; i++) expect(got[i]).toBeCloseTo(expected[i]!, 5);
    }
  });

  it('baseline b blends toward b: the input is x·M + b·(1 − M)', async () => {
    const o = options({ masks: 64, cells: 3, probability: 0.4, baseline: -2, seed: 9 });
    const { maps } = await run(o, { weights: oneHotWeights([3], 1) });
    const xp = x.data[PIXEL]!;
    const expected = byHand(o, (m) => Math.fround(xp * m[PIXEL]! + -2 * (1 - m[PIXEL]!)));
    const got = plane(maps, 0, 1);
    for (let i = 0; i < H * W; i++) expect(got[i]).toBeCloseTo(expected[i]!, 5);
  });

  it('a head: the K explained scalars are head.scores of the masked outputs, the target is not read', async () => {
    const head: OutputHead = {
      scores: (out) => {
        const b = out.shape[0]!;
        const s = new Float32Array(b * 2);
        for (let i = 0; i < b; i++) {
          s[i * 2] = Math.tanh(out.data[i * 3 + 1]!);
          s[i * 2 + 1] = out.data[i * 3]! * out.data[i * 3 + 1]!;
        }
        return s;
      },
      cotangents: () => {
        throw new Error('not used by a perturbation method');
      },
    };
    const o = options({ masks: 40, cells: 2, seed: 2 });
    const weights = tensor('float32', [2, 3], new Float32Array(6)); // zeros: only the head matters
    const { maps } = await run(o, { weights, head });
    const expected = byHand(o, (m) => Math.fround(Math.tanh(Math.fround(x.data[PIXEL]! * m[PIXEL]!))));
    const got = plane(maps, 0, 0);
    for (let i = 0; i < H * W; i++) expect(got[i]).toBeCloseTo(expected[i]!, 5);
    expect(Math.max(...plane(maps, 1, 0).map(Math.abs))).toBeGreaterThan(0);
  });
});

describe('rise: seeds, batches, strategies', () => {
  it('the same seed gives the same maps; another seed other maps', async () => {
    const a = await run({ masks: 50, seed: 3, cells: 2 });
    const b = await run({ masks: 50, seed: 3, cells: 2 });
    const c = await run({ masks: 50, seed: 4, cells: 2 });
    expect(b.maps.data).toEqual(a.maps.data);
    expect(c.maps.data).not.toEqual(a.maps.data);
  });

  it('perturbationsPerEval 1, 7 and 64 give identical maps, in ⌈N / batch⌉ model calls', async () => {
    const results = [];
    for (const perturbationsPerEval of [1, 7, 64]) {
      const model = makeModel();
      const r = await run({ masks: 50, cells: 3, perturbationsPerEval }, { model });
      // core's attribute() runs the model once first, for the output's shape
      expect(model.calls.length - 1).toBe(Math.ceil(50 / perturbationsPerEval));
      expect(r.report?.modelCalls).toBe(model.calls.length - 1);
      results.push(r.maps.data);
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it('a model whose input has a fixed batch of 1 is called once per mask', async () => {
    const model = makeModel(1);
    await run({ masks: 6, cells: 2, perturbationsPerEval: 4 }, { model });
    expect(model.calls).toEqual([1, 1, 1, 1, 1, 1, 1]); // the first is core's shape probe
  });

  it('is linear in its target: direct and jacobian strategies agree', async () => {
    expect(isLinearInTarget(rise as unknown as AttributionMethod, options())).toBe(true);
    const weights = tensor('float32', [2, 3], Float32Array.of(1, -2, 0.5, 0, 3, 1));
    const direct = await run({ masks: 30, cells: 2 }, { weights, strategy: 'direct' });
    const jacobian = await run({ masks: 30, cells: 2 }, { weights, strategy: 'jacobian' });
    for (let i = 0; i < direct.maps.data.length; i++) expect(jacobian.maps.data[i]).toBeCloseTo(direct.maps.data[i]!, 4);
  });

  it('reports progress in masks, ending at N of N', async () => {
    const seen: [number, number][] = [];
    await run({ masks: 10, cells: 2, perturbationsPerEval: 4 }, { onProgress: (d, t) => seen.push([d, t]) });
    expect(seen.at(-1)).toEqual([10, 10]);
  });
});

describe('rise: bad input', () => {
  it('rejects an input without two spatial axes', async () => {
    const flat: Model = { ...makeModel(), inputs: [{ name: 'x', dtype: 'float32', shape: ['batch' as unknown as number, 6] }] };
    await expect(run({ masks: 2 }, { model: flat, input: tensor('float32', [1, 6], new Float32Array(6)) })).rejects.toThrow(/rise: input 'x' must be an image, \[1, …, H, W\]/);
  });

  it('rejects p = 0 and a fractional N with the option path', async () => {
    await expect(run({ probability: 0 })).rejects.toThrow(/options\.probability/);
    await expect(run({ masks: 2.5 })).rejects.toThrow(/options\.masks must be integer/);
  });
});
