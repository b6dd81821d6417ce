import { tensor } from '@envision/core';
import { describe, expect, it } from 'vitest';
import { TextEmbeddingCache } from './text-cache.js';

const t = (...v: number[]) => tensor('float32', [1, v.length], Float32Array.from(v));

describe('TextEmbeddingCache', () => {
  it('keys by bundle hash and the exact batch', () => {
    const cache = new TextEmbeddingCache();
    cache.set('h1', ['a', 'b'], t(1, 2));
    expect(Array.from(cache.get('h1', ['a', 'b'])!.data)).toEqual([1, 2]);
    expect(cache.get('h2', ['a', 'b'])).toBeUndefined();
    expect(cache.get('h1', ['b', 'a'])).toBeUndefined();
    expect(cache.get('h1', ['a'])).toBeUndefined();
    expect(cache.get('h1', ['a,b'])).toBeUndefined();
  });

  it('copies values in and out', () => {
    const cache = new TextEmbeddingCache();
    const v = t(1, 2);
    cache.set('h', ['a'], v);
    v.data[0] = 9;
    const out = cache.get('h', ['a'])!;
    out.data[1] = 9;
    expect(Array.from(cache.get('h', ['a'])!.data)).toEqual([1, 2]);
  });

  it('drops the least recently used batch past its capacity', () => {
    const cache = new TextEmbeddingCache(2);
    cache.set('h', ['a'], t(1));
    cache.set('h', ['b'], t(2));
    cache.get('h', ['a']);
    cache.set('h', ['c'], t(3));
    expect(cache.size).toBe(2);
    expect(cache.get('h', ['b'])).toBeUndefined();
    expect(cache.get('h', ['a'])).toBeDefined();
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
