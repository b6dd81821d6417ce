import { describe, expect, it } from 'vitest';
import { tensor } from '@envision/onnx-grad';
import { expectEmbeddings, padTokenRows } from './adapter.js';

describe('padTokenRows', () => {
  it('pads to the longest row, or to a given length, with a 0/1 mask (hand-written)', () => {
    const b = padTokenRows([[5, 6, 7], [8]], 0);
    expect(b.ids.shape).toEqual([2, 3]);
    expect(Array.from(b.ids.data, Number)).toEqual([5, 6, 7, 8, 0, 0]);
    expect(Array.from(b.mask.data, Number)).toEqual([1, 1, 1, 1, 0, 0]);
    const m = padTokenRows([[1, 2]], 9, 4);
    expect(Array.from(m.ids.data, Number)).toEqual([1, 2, 9, 9]);
    expect(Array.from(m.mask.data, Number)).toEqual([1, 1, 0, 0]);
  });
  it('refuses no rows', () => {
    expect(() => padTokenRows([], 0)).toThrow('tokenize: give at least one text');
  });
});

describe('expectEmbeddings', () => {
  it('passes float32 [rows, dim] and names what is wrong otherwise', () => {
    const ok = tensor('float32', [2, 3], new Float32Array(6));
    expect(expectEmbeddings(ok, 2, 3, 'm.onnx: output y')).toBe(ok);
    expect(() => expectEmbeddings(ok, 2, 4, 'm.onnx: output y')).toThrow('m.onnx: output y is float32 [2, 3], expected float32 [2, 4]');
    expect(() => expectEmbeddings(tensor('int64', [2, 3], new BigInt64Array(6)), 2, 3, 'w')).toThrow('w is int64 [2, 3], expected float32 [2, 3]');
  });
});
