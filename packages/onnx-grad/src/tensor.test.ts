import { describe, it, expect } from 'vitest';
import { batchItem, formatShape, maxAbsoluteError, maxRelativeError, repeatBatch, row, sameShape, sizeOf, stack, tensor, zeros } from './tensor.js';

describe('tensors', () => {
  it('checks the element count against the shape', () => {
    expect(sizeOf([2, 3, 4])).toBe(24);
    expect(sizeOf([])).toBe(1);
    expect(() => tensor('float32', [2, 2], new Float32Array(3))).toThrow('tensor of shape [2, 2] needs 4 elements, got 3');
    expect(zeros([2, 1]).data).toEqual(new Float32Array(2));
    expect(formatShape([1, 3])).toBe('[1, 3]');
    expect(sameShape([1, 2], [1, 2])).toBe(true);
    expect(sameShape([1, 2], [2, 1])).toBe(false);
  });

  it('takes rows as views and stacks them back', () => {
    const t = tensor('float32', [2, 3], Float32Array.of(1, 2, 3, 4, 5, 6));
    const r = row(t, 1);
    expect(r.shape).toEqual([3]);
    expect([...r.data]).toEqual([4, 5, 6]);
    r.data[0] = 40;
    expect(t.data[3]).toBe(40);
    expect([...stack([row(t, 0), row(t, 1)]).data]).toEqual([1, 2, 3, 40, 5, 6]);
    expect(() => stack([row(t, 0), tensor('float32', [2], new Float32Array(2))])).toThrow('stack: shape [2] differs from [3]');
  });

  it('repeats a batch-1 tensor along the batch axis, keeping its type', () => {
    const ids = tensor('int64', [1, 2], BigInt64Array.of(7n, 8n));
    const r = repeatBatch(ids, 3);
    expect(r.dtype).toBe('int64');
    expect(r.shape).toEqual([3, 2]);
    expect([...r.data]).toEqual([7n, 8n, 7n, 8n, 7n, 8n]);
  });

  it('measures the largest error relative to the largest reference value (hand-computed)', () => {
    expect(maxRelativeError([1, 2, 3], [1, 2, 4])).toBeCloseTo(0.25, 12);
    expect(maxRelativeError(tensor('float32', [2], Float32Array.of(0, -2)), [0, -4])).toBeCloseTo(0.5, 12);
    expect(() => maxRelativeError([1], [1, 2])).toThrow('cannot compare 1 values with 2');
    expect(maxAbsoluteError([1, 2, 3], [1, 2.5, 4])).toBe(1);
    const b = batchItem(tensor('float32', [2, 3], Float32Array.of(1, 2, 3, 4, 5, 6)), 1);
    expect(b.shape).toEqual([1, 3]);
    expect(Array.from(b.data)).toEqual([4, 5, 6]);
    expect(maxAbsoluteError(tensor('float32', [2], Float32Array.of(0, -2)), [0.25, -2])).toBe(0.25);
    expect(() => maxAbsoluteError([1], [1, 2])).toThrow('cannot compare 1 values with 2');
  });
});
