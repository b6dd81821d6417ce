import { type Tensor, tensor } from '@envision/core';

/**
 * In-memory cache of text embeddings keyed by (bundle hash, exact text batch). The batch is the key, not each
 * text: MedCLIP's pooling averages pad tokens in, so a prompt's embedding depends on the batch it was padded with.
 * The oldest entry is dropped past `capacity`; values are copied in and out so callers cannot alter them.
 */
export class TextEmbeddingCache {
  private readonly entries = new Map<string, Tensor<'float32'>>();

  /** @param capacity - most batches kept */
  constructor(readonly capacity = 256) {}

  private static key(bundleHash: string, texts: readonly string[]): string {
    return `${bundleHash}\n${JSON.stringify(texts)}`;
  }

  /** The cached embedding of this batch (a copy), or undefined. */
  get(bundleHash: string, texts: readonly string[]): Tensor<'float32'> | undefined {
    const key = TextEmbeddingCache.key(bundleHash, texts);
    const hit = this.entries.get(key);
    if (hit === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit); // most recently used last
    return tensor('float32', hit.shape, hit.data.slice());
  }

  /** Stores the embedding of this batch (a copy). */
  set(bundleHash: string, texts: readonly string[], value: Tensor<'float32'>): void {
    const key = TextEmbeddingCache.key(bundleHash, texts);
    this.entries.delete(key);
    this.entries.set(key, tensor('float32', value.shape, value.data.slice()));
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  /** Number of cached batches. */
  get size(): number {
    return this.entries.size;
  }

  /** Drops every entry. */
  clear(): void {
    this.entries.clear();
  }
}

/** The cache adapters share by default, so two adapters of one bundle embed a batch once. */
export const sharedTextCache = new TextEmbeddingCache();
