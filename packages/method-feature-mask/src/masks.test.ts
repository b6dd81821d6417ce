import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy, tensor, type Tensor } from '@envision/core';
import { buildMask, compactIds, composeInput, gridMask, spreadToInput } from './masks.js';

describe('feature masks', () => {
  it('a grid of 2 × 3 cells over 5 × 5 pixels: ids row-major, the last row and column of cells cut off', () => {
    const mask = gridMask(5, 5, [2, 3]);
    expect(mask.count).toBe(6);
    expect(Array.from(mask.ids)).toEqual([0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 2, 2, 2, 3, 3, 2, 2, 2, 3, 3, 4, 4, 4, 5, 5]);
  });

  it('renumbers ids in increasing order so that gaps are not features', () => {
    const mask = compactIds([7, 3, 3, 9], [2, 2]);
    expect(mask.count).toBe(3);
    expect(Array.from(mask.ids)).toEqual([1, 0, 0, 2]);
  });

  it('composes a coalition over every channel and spreads feature values back to every element', () => {
    const mask = gridMask(2, 2, [1, 2]); // rows are the features
    const x = Float32Array.from({ length: 8 }, (_, i) => i + 1); // [2, 2, 2]
    const out = new Float32Array(8);
    composeInput(x, mask, [0, 1], -1, out);
    expect(Array.from(out)).toEqual([-1, -1, 3, 4, -1, -1, 7, 8]);
    expect(Array.from(spreadToInput([10, 20, 30, 40], 2, mask, 8))).toEqual([10, 10, 20, 20, 10, 10, 20, 20, 30, 30, 40, 40, 30, 30, 40, 40]);
  });

  describe('npy masks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'envision-mask-'));
    const x = tensor('float32', [1, 3, 2, 2], new Float32Array(12)) as Tensor<'float32'>;
    const save = (name: string, shape: number[], values: number[]) =>
      writeFileSync(join(dir, name), encodeNpy(tensor('int64', shape, BigInt64Array.from(values, BigInt))));

    it('reads ids relative to the folder given (the experiment), dropping leading axes of length 1', async () => {
      save('m.npy', [1, 1, 2, 2], [4, 4, 9, 2]);
      const mask = await buildMask({ type: 'npy', file: 'm.npy' }, x, dir, 'lime');
      expect(mask.shape).toEqual([2, 2]);
      expect(Array.from(mask.ids)).toEqual([1, 1, 2, 0]);
    });

    it('accepts a mask over every element (per channel), as Captum does', async () => {
      save('full.npy', [3, 2, 2], [...Array(12).keys()]);
      expect((await buildMask({ type: 'npy', file: 'full.npy' }, x, dir, 'lime')).count).toBe(12);
    });

    it('rejects a mask of another shape and ids that are not integers ≥ 0, naming the method and the file', async () => {
      save('wrong.npy', [3, 3], Array(9).fill(0));
      await expect(buildMask({ type: 'npy', file: 'wrong.npy' }, x, dir, 'lime')).rejects.toThrow(/lime: mask .*wrong\.npy has shape \[3, 3\]; expected the input's trailing dimensions, e\.g\. \[2, 2\]/);
      save('negative.npy', [2, 2], [0, 1, -1, 0]);
      await expect(buildMask({ type: 'npy', file: 'negative.npy' }, x, dir, 'lime')).rejects.toThrow(/holds -1 at flat index 2; feature ids must be integers ≥ 0/);
      writeFileSync(join(dir, 'float.npy'), encodeNpy(tensor('float32', [2, 2], new Float32Array([0, 0.5, 1, 1]))));
      await expect(buildMask({ type: 'npy', file: 'float.npy' }, x, dir, 'lime')).rejects.toThrow(/holds 0\.5 at flat index 1/);
      await expect(buildMask({ type: 'npy', file: 'missing.npy' }, x, dir, 'lime')).rejects.toThrow(/cannot read .*missing\.npy/);
    });
  });

  it('a grid needs an input with height and width', async () => {
    const flat = tensor('float32', [1, 5], new Float32Array(5)) as Tensor<'float32'>;
    await expect(buildMask({ type: 'grid', size: [2, 2] }, flat, undefined, 'feature-ablation')).rejects.toThrow(/feature-ablation: a grid mask needs an input with height and width, got shape \[1, 5\]/);
  });
});
