import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../random.js';
import { tensor } from '@envision/onnx-grad';
import { fuseStored } from './jacobian-store.js';

describe('fuseStored', () => {
  it('matches a hand-computed fusion', async () => {
    // two stored maps of 1×2 pixels: [1, 2] and [3, 4]
    const store = tensor('float32', [2, 1, 2], [1, 2, 3, 4]);
    const weights = tensor('float32', [2, 2], [1, -1, 0.5, 2]);
    const fused = await fuseStored(store, weights);
    expect(fused.shape).toEqual([2, 1, 2]);
    expect(Array.from(fused.data)).toEqual([-2, -2, 6.5, 9]);
  });

  it('matches Σ_i w_r,i · map_i summed in float64, for random maps', async () => {
    const [m, h, w, r] = [37, 9, 11, 5];
    const random = new SeededRandom(7);
    const next = () => random.uniform();
    const store = tensor('float32', [m, h, w], Float32Array.from({ length: m * h * w }, () => next() * 2 - 1));
    const weights = tensor('float32', [r, m], Float32Array.from({ length: r * m }, () => next() * 2 - 1));
    const fused = await fuseStored(store, weights);
    expect(fused.shape).toEqual([r, h, w]);
    const n = h * w;
    let worst = 0;
    for (let k = 0; k < r; k++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let i = 0; i < m; i++) sum += weights.data[k * m + i]! * store.data[i * n + j]!;
        worst = Math.max(worst, Math.abs(fused.data[k * n + j]! - sum));
      }
    }
    expect(worst).toBeLessThan(1e-5);
  });

  it('rejects weights whose width is not the number of stored maps', async () => {
    const store = tensor('float32', [3, 2, 2], new Float32Array(12));
    await expect(fuseStored(store, tensor('float32', [2, 4], new Float32Array(8)))).rejects.toMatchObject({
      code: 'E_INPUT',
      message: 'fusion weights must be [R, 3] for 3 stored maps, got [2, 4]',
    });
  });
});
