import { describe, it, expect } from 'vitest';
import {
  PluginRegistry,
  attribute,
  isLinearInTarget,
  tensor,
  type AttributionMethod,
  type Model,
  type OutputHead,
  type Tensor,
} from '@envision/core';
import { noiseTunnel, type NoiseTunnelOptions } from './noise-tunnel.js';
import { noiseSamples } from './noise.js';

// A model y = [Σ x, Σ x²] of x [1, 2, 2], and an inner method whose map row k is (Σ_j w_k,j) · x ⊙ x (+ `shift`),
// all in JavaScript, so every statistic can be computed by hand from the same noise.
const model: Model = {
  inputs: [{ name: 'x', dtype: 'float32', shape: [1, 2, 2] }],
  outputs: [{ name: 'y', dtype: 'float32', shape: [1, 2] }],
  run: (feeds) => {
    const x = (feeds.x as Tensor<'float32'>).data;
    return Promise.resolve({ y: tensor('float32', [1, 2], Float32Array.of(x.reduce((a, v) => a + v, 0), x.reduce((a, v) => a + v * v, 0))) });
  },
};
const seen: Tensor<'float32'>[] = [];
const square: AttributionMethod<{ shift: number }> = {
  meta: {
    id: 'square',
    kind: 'perturbation',
    linear: (o) => o.shift === 0,
    optionsSchema: { type: 'object', properties: { shift: { type: 'number' } }, additionalProperties: false },
    defaultOptions: { shift: 0 },
    description: 'test method',
    paper: '-',
  },
  attribute: ({ inputs, target, options }) => {
    seen.push(target);
    const x = inputs.x!.data as Float32Array;
    const k = target.shape[0]!;
    const o = target.shape.slice(1).reduce((a, b) => a * b, 1);
    const maps = new Float32Array(k * x.length);
    for (let r = 0; r < k; r++) {
      let w = 0;
      for (let j = 0; j < o; j++) w += target.data[r * o + j]!;
      for (let i = 0; i < x.length; i++) maps[r * x.length + i] = w * x[i]! * x[i]! + options.shift;
    }
    return Promise.resolve({ maps: tensor('float32', [k, 2, 2], maps) });
  },
};
const registry = new PluginRegistry();
registry.add('method', square as unknown as AttributionMethod, 'test');
registry.add('method', noiseTunnel as unknown as AttributionMethod, '@envision/method-noise-tunnel');
const resolveMethod = registry.methodResolver();

const x = tensor('float32', [1, 2, 2], Float32Array.of(0.5, -1, 2, 0));
const weights = tensor('float32', [2, 2], Float32Array.of(1, 0, 0.5, 2));
const run = (options: Partial<NoiseTunnelOptions> & Record<string, unknown>, extra: { strategy?: 'direct' | 'jacobian'; head?: OutputHead; resolve?: boolean; onProgress?: (d: number, t: number) => void } = {}) =>
  attribute({
    method: noiseTunnel as unknown as AttributionMethod,
    options: { method: 'square', ...options },
    model,
    inputs: { x },
    wrt: 'x',
    of: 'y',
    weights,
    strategy: extra.strategy ?? 'direct',
    ...(extra.head ? { head: extra.head } : {}),
    ...(extra.resolve === false ? {} : { resolveMethod }),
    ...(extra.onProgress ? { onProgress: extra.onProgress } : {}),
  });

/** The per-sample maps of `square`, from the same noise, in float64 from the float32 noisy inputs. */
function sampleMaps(samples: number, stdevs: number, seed: number): number[][] {
  const rowSums = [1, 2.5];
  return [...noiseSamples(samples, 4, stdevs, seed)].map((noise) => {
    const noisy = Float32Array.from(x.data, (v, i) => v + noise[i]!);
    return rowSums.flatMap((w) => [...noisy].map((v) => Math.fround(w * v * v)));
  });
}

describe('noise-tunnel', () => {
  it('smoothgrad, smoothgrad_sq and vargrad are the mean, the mean of squares and E[a²] − E[a]² of the sampled maps', async () => {
    const a = sampleMaps(6, 0.3, 11);
    const mean = a[0]!.map((_, i) => a.reduce((s, m) => s + m[i]!, 0) / a.length);
    const meanSq = a[0]!.map((_, i) => a.reduce((s, m) => s + m[i]! ** 2, 0) / a.length);
    const check = (got: Float32Array, want: number[]) => got.forEach((v, i) => expect(v).toBeCloseTo(Math.fround(want[i]!), 6));
    const smooth = await run({ samples: 6, stdevs: 0.3, seed: 11 });
    expect(smooth.maps.shape).toEqual([2, 2, 2]);
    check(smooth.maps.data, mean);
    check((await run({ samples: 6, stdevs: 0.3, seed: 11, type: 'smoothgrad_sq' })).maps.data, meanSq);
    const vargrad = (await run({ samples: 6, stdevs: 0.3, seed: 11, type: 'vargrad' })).maps.data;
    check(vargrad, meanSq.map((v, i) => v - mean[i]! ** 2));
    // Captum's vargrad is the population variance (divides by N, not N − 1).
    const i = 3;
    const population = a.reduce((s, m) => s + (m[i]! - mean[i]!) ** 2, 0) / a.length;
    expect(vargrad[i]).toBeCloseTo(population, 6);
    expect(smooth.report).toEqual({ method: 'square', type: 'smoothgrad', samples: 6, stdevs: 0.3, seed: 11 });
  });

  it('defaults to Captum\'s: smoothgrad, 5 samples, stdevs 1, seed 0', async () => {
    const a = sampleMaps(5, 1, 0);
    const got = (await run({})).maps.data;
    got.forEach((v, i) => expect(v).toBeCloseTo(a.reduce((s, m) => s + m[i]!, 0) / 5, 5));
  });

  it('gives the same maps for the same seed and different maps for another seed', async () => {
    const one = (await run({ seed: 4 })).maps.data;
    expect([...(await run({ seed: 4 })).maps.data]).toEqual([...one]);
    expect([...(await run({ seed: 5 })).maps.data]).not.toEqual([...one]);
    // stdevs 0: every sample is the clean input.
    expect([...(await run({ stdevs: 0 })).maps.data]).toEqual([...(await resolveMethod('square').attribute({ model, inputs: { x }, wrt: 'x', of: 'y', target: weights, options: { shift: 0 } })).maps.data]);
  });

  it('is linear in the target only for smoothgrad over a linear inner method (with its options), and only with a registry', () => {
    const linear = (o: Partial<NoiseTunnelOptions>, withRegistry = true) =>
      isLinearInTarget(noiseTunnel, { method: 'square', methodOptions: {}, type: 'smoothgrad', samples: 5, stdevs: 1, seed: 0, ...o }, withRegistry ? resolveMethod : undefined);
    expect(linear({})).toBe(true);
    expect(linear({ type: 'smoothgrad_sq' })).toBe(false);
    expect(linear({ type: 'vargrad' })).toBe(false);
    expect(linear({ methodOptions: { shift: 1 } })).toBe(false);
    expect(linear({ method: 'nope' })).toBe(false);
    expect(linear({}, false)).toBe(false);
  });

  it('agrees with itself across strategies when linear, and runs per output element when not', async () => {
    const direct = (await run({ seed: 2 })).maps.data;
    const jacobian = (await run({ seed: 2 }, { strategy: 'jacobian' })).maps.data;
    jacobian.forEach((v, i) => expect(v).toBeCloseTo(direct[i]!, 5));
    const auto = await attribute({ method: noiseTunnel as unknown as AttributionMethod, options: { method: 'square', type: 'vargrad' }, model, inputs: { x }, wrt: 'x', of: 'y', weights, resolveMethod });
    expect(auto.strategy).toBe('jacobian');
  });

  it('takes a nonlinear head\'s cotangent rows at each noisy input', async () => {
    // s(y) = [y_1²/2, y_0²/2]: cotangent rows [0, y_1] and [y_0, 0] with y_1 = Σ x², y_0 = Σ x at the point.
    const head: OutputHead = {
      scores: (out) => Float32Array.of(out.data[1]! ** 2 / 2, out.data[0]! ** 2 / 2),
      cotangents: (out) => tensor('float32', [2, 2], Float32Array.of(0, out.data[1]!, out.data[0]!, 0)),
    };
    seen.length = 0;
    await run({ samples: 3, stdevs: 0.5, seed: 9 }, { head });
    const expected = [...noiseSamples(3, 4, 0.5, 9)].map((noise) => Float32Array.from(x.data, (v, i) => v + noise[i]!).reduce((a, v) => a + v * v, 0));
    expect(seen.map((t) => t.data[1])).toEqual(expected.map(Math.fround));
  });

  it('reports progress in samples, inside each sample too', async () => {
    const events: [number, number][] = [];
    await run({ samples: 4 }, { onProgress: (d, t) => events.push([d, t]) });
    expect(events.at(-1)).toEqual([4, 4]);
    expect(events.filter(([d]) => Number.isInteger(d)).map(([d]) => d)).toEqual([1, 2, 3, 4]);
  });

  it('says in one E_CONFIG line what is wrong with the wrapped method', async () => {
    await expect(run({ method: 'sqare' })).rejects.toMatchObject({ code: 'E_CONFIG', message: expect.stringContaining("noise-tunnel.method: unknown method 'sqare'; did you mean 'square'?") });
    await expect(run({ method: 'noise-tunnel', methodOptions: { method: 'square' } })).rejects.toMatchObject({ code: 'E_CONFIG', message: expect.stringContaining('a noise tunnel cannot wrap another noise tunnel') });
    await expect(run({ methodOptions: { shift: 'a' } })).rejects.toMatchObject({ code: 'E_CONFIG', message: 'noise-tunnel.methodOptions (method square): options.shift must be number' });
    await expect(run({ methodOptions: { abs: true } })).rejects.toThrow('noise-tunnel.methodOptions (method square): options.abs is not allowed');
    await expect(run({}, { resolve: false })).rejects.toMatchObject({ code: 'E_CONFIG', message: expect.stringContaining("noise-tunnel.method: cannot look up 'square' without the registered methods") });
    await expect(run({ type: 'mean' as never })).rejects.toThrow('options.type must be equal to one of the allowed values');
    await expect(
      attribute({ method: noiseTunnel as unknown as AttributionMethod, options: {}, model, inputs: { x }, wrt: 'x', of: 'y', weights, resolveMethod }),
    ).rejects.toThrow("must have required property 'method'");
  });
});
