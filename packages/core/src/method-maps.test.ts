import { describe, it, expect } from 'vitest';
import { tensor, type Model, type Tensor } from '@envision/onnx-grad';
import { attribute } from './attribute.js';
import { checkMethodResult, isLinearInTarget } from './method-maps.js';
import type { AttributionMethod, AttributionResult } from './method.js';

/** A model y = [sum(x), 2·sum(x)] of an input x `[1, 2, 3]`, run in JavaScript. */
const model: Model = {
  inputs: [{ name: 'x', dtype: 'float32', shape: [1, 2, 3] }],
  outputs: [{ name: 'y', dtype: 'float32', shape: [1, 2] }],
  run: (feeds) => {
    const x = feeds.x as Tensor<'float32'>;
    const s = x.data.reduce((a, b) => a + b, 0);
    return Promise.resolve({ y: tensor('float32', [1, 2], new Float32Array([s, 2 * s])) });
  },
};
const x = tensor('float32', [1, 2, 3], new Float32Array([1, 2, 3, 4, 5, 6]));

/** A method returning whatever `make(k)` builds for k target rows. */
function returning(make: (k: number) => unknown, meta: Partial<AttributionMethod['meta']> = {}): AttributionMethod {
  return {
    meta: { id: 'fake', kind: 'perturbation', linear: true, optionsSchema: { type: 'object' }, defaultOptions: {}, description: 'fake', paper: '-', ...meta },
    attribute: ({ target }) => Promise.resolve(make(target.shape[0]!) as AttributionResult),
  };
}
const run = (method: AttributionMethod, strategy: 'direct' | 'jacobian' = 'direct') =>
  attribute({ method, model, inputs: { x }, wrt: 'x', of: 'y', weights: tensor('float32', [1, 2], new Float32Array([1, 0])), strategy });

describe("checking a method's maps after every call", () => {
  it('accepts float32 [K, …S] maps with either strategy', async () => {
    const ok = returning((k) => ({ maps: tensor('float32', [k, 2, 3], new Float32Array(k * 6).fill(1)) }));
    expect((await run(ok)).maps.shape).toEqual([1, 2, 3]);
    expect((await run(ok, 'jacobian')).maps.shape).toEqual([1, 2, 3]);
  });

  it('rejects maps of the wrong shape, dtype or size, and a result without maps, naming the method', async () => {
    await expect(run(returning((k) => ({ maps: tensor('float32', [k, 6], new Float32Array(k * 6)) })))).rejects.toThrow(
      'method fake returned maps of shape [1, 6] for 1 target rows and input [1, 2, 3]: expected [1, 2, 3]',
    );
    // jacobian: one row per output element (2), whatever the target's K.
    await expect(run(returning(() => ({ maps: tensor('float32', [1, 2, 3], new Float32Array(6)) })), 'jacobian')).rejects.toThrow(
      'method fake returned maps of shape [1, 2, 3] for 2 target rows and input [1, 2, 3]: expected [2, 2, 3]',
    );
    await expect(run(returning((k) => ({ maps: { dtype: 'float64', shape: [k, 2, 3], data: new Float64Array(k * 6) } })))).rejects.toThrow(
      'method fake returned float64 maps: they must be float32 [1, 2, 3]',
    );
    await expect(run(returning((k) => ({ maps: { dtype: 'float32', shape: [k, 2, 3], data: new Float32Array(5) } })))).rejects.toThrow(
      'method fake returned maps of shape [1, 2, 3] holding 5 values: expected float32 [1, 2, 3]',
    );
    await expect(run(returning(() => undefined))).rejects.toThrow('method fake returned no maps tensor');
    await expect(run(returning(() => ({ maps: [[1, 2, 3]] })))).rejects.toThrow('method fake returned no maps tensor');
  });

  it('checks only the row count of a method that declares maps of another shape for these options', () => {
    const layer = returning(() => undefined, { mapsShapedLikeInput: (o: Record<string, unknown>) => o.upsample !== 'none' });
    const grid = { maps: tensor('float32', [1, 4, 4], new Float32Array(16)) };
    expect(checkMethodResult(layer, { upsample: 'none' }, grid, 1, [1, 2, 3]).shape).toEqual([1, 4, 4]);
    expect(() => checkMethodResult(layer, { upsample: 'none' }, grid, 2, [1, 2, 3])).toThrow('expected [2, …]');
    expect(() => checkMethodResult(layer, { upsample: 'bilinear' }, grid, 1, [1, 2, 3])).toThrow('expected [1, 2, 3]');
  });

  it('reads linearity from meta.linear, then the deprecated linearInTarget, else false', () => {
    const base = returning(() => undefined);
    const { linear: _l, ...unflagged } = base.meta;
    expect(isLinearInTarget(base, {})).toBe(true);
    expect(isLinearInTarget({ ...base, meta: { ...unflagged, linearInTarget: true } }, {})).toBe(true);
    expect(isLinearInTarget({ ...base, meta: { ...unflagged, linear: false, linearInTarget: true } }, {})).toBe(false);
    expect(isLinearInTarget({ ...base, meta: unflagged }, {})).toBe(false);
  });
});
