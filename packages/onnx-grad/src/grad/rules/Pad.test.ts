import { describe, expect, it } from 'vitest';
import { tensor } from '../../tensor.js';
import { checkGradient, randomTensor } from '../check-gradient.js';
import { Pad } from './Pad.js';

const ints = (values: number[], shape = [values.length]) => tensor('int64', shape, BigInt64Array.from(values, BigInt));
const scalar = (v: number) => tensor('float64', [], Float64Array.from([v]));

describe('Pad gradient', () => {
  it('crops the cotangent for positive constant pads and zero-fills it for negative ones (cropping)', async () => {
    const x = randomTensor('float64', [2, 3, 4], 1);
    expect((await checkGradient({ op: 'Pad', inputs: [x, ints([0, 1, 2, 0, 2, 1])], wrt: 0, rules: [Pad] })).relativeError).toBeLessThan(1e-7);
    expect((await checkGradient({ op: 'Pad', inputs: [x, ints([0, -1, 1, 0, 2, -2]), scalar(0.5)], wrt: 0, rows: 3, rules: [Pad] })).relativeError).toBeLessThan(1e-7);
  });

  it('passes the cotangent through for all-zero pads, in every mode', async () => {
    const x = randomTensor('float64', [1, 4, 4, 2], 4);
    for (const mode of ['constant', 'reflect', 'edge']) {
      const r = await checkGradient({ op: 'Pad', inputs: [x, ints([0, 0, 0, 0, 0, 0, 0, 0])], attributes: { mode }, wrt: 0, rows: 2, rules: [Pad] });
      expect(r.relativeError).toBeLessThan(1e-7);
    }
  });

  it('reads the axes input (opset 18)', async () => {
    const x = randomTensor('float64', [1, 3, 4, 2], 2);
    const r = await checkGradient({ op: 'Pad', inputs: [x, ints([2, -1, 1, 3]), null, ints([-1, 1])], wrt: 0, opset: 18, rows: 3, rules: [Pad] });
    expect(r.relativeError).toBeLessThan(1e-7);
  });

  it('adds the cotangents of edge and reflect copies to their sources', async () => {
    const x = randomTensor('float64', [2, 4, 5], 3);
    for (const mode of ['edge', 'reflect']) {
      const r = await checkGradient({ op: 'Pad', inputs: [x, ints([0, 2, 3, 0, 3, 1])], wrt: 0, attributes: { mode }, rules: [Pad] });
      expect(r.relativeError, mode).toBeLessThan(1e-7);
    }
    const x1 = randomTensor('float64', [1, 1, 3], 4);
    const edge = await checkGradient({ op: 'Pad', inputs: [x1, ints([0, 2, 1, 0, 1, 0])], wrt: 0, rows: 3, attributes: { mode: 'edge' }, rules: [Pad] });
    expect(edge.relativeError).toBeLessThan(1e-7);
  });

  it('fails loudly on mode wrap and on negative edge pads', async () => {
    const x = randomTensor('float64', [1, 3], 5);
    await expect(checkGradient({ op: 'Pad', inputs: [x, ints([0, 1, 0, 1])], wrt: 0, opset: 19, attributes: { mode: 'wrap' }, rules: [Pad] })).rejects.toThrow(/mode 'wrap' is not supported/);
    await expect(checkGradient({ op: 'Pad', inputs: [x, ints([0, 1, 0, -1])], wrt: 0, attributes: { mode: 'edge' }, rules: [Pad] })).rejects.toThrow(/negative pads in mode 'edge'/);
  });
});
