import { EnvisionError, type Tensor, formatShape } from '@envision/core';
import type { StateDict } from './checkpoint/index.js';

/**
 * The weights of a state dict as a graph builder consumes them: every read is checked (missing key, wrong dtype,
 * wrong shape: an error naming the key) and recorded, so keys nobody read can be reported as unexpected.
 */
export class Weights {
  private readonly used = new Set<string>();

  /**
   * @param dict - the state dict
   * @param source - the checkpoint's name, for messages
   */
  constructor(
    readonly dict: StateDict,
    readonly source = 'checkpoint',
  ) {}

  /** True when the state dict holds `key`. */
  has(key: string): boolean {
    return this.dict.has(key);
  }

  private get(key: string, shape: readonly (number | undefined)[] | undefined): Tensor<'float32'> | Tensor<'int64'> {
    const t = this.dict.get(key);
    if (t === undefined) throw new EnvisionError('E_BUNDLE', `${this.source}: missing key '${key}'`);
    if (shape !== undefined && (t.shape.length !== shape.length || shape.some((d, i) => d !== undefined && d !== t.shape[i]))) {
      throw new EnvisionError('E_BUNDLE', `${this.source}: '${key}' has shape ${formatShape(t.shape)}, expected [${shape.map((d) => d ?? '?').join(', ')}]`);
    }
    this.used.add(key);
    return t;
  }

  /**
   * A floating-point weight (stored as float32, whatever its storage type was).
   * @param key - the state-dict key
   * @param shape - the expected shape; `undefined` entries match any size
   * @returns the tensor
   * @throws EnvisionError `E_BUNDLE` naming the key when it is missing, not floating point, or misshapen
   */
  float(key: string, shape?: readonly (number | undefined)[]): Tensor<'float32'> {
    const t = this.get(key, shape);
    if (t.dtype !== 'float32') throw new EnvisionError('E_BUNDLE', `${this.source}: '${key}' is ${t.dtype}, expected a floating-point tensor`);
    return t as Tensor<'float32'>;
  }

  /**
   * An integer tensor (e.g. `position_ids`).
   * @param key - the state-dict key
   * @param shape - the expected shape; `undefined` entries match any size
   * @returns the tensor
   * @throws EnvisionError `E_BUNDLE` naming the key when it is missing, not an integer tensor, or misshapen
   */
  int(key: string, shape?: readonly (number | undefined)[]): Tensor<'int64'> {
    const t = this.get(key, shape);
    if (t.dtype !== 'int64') throw new EnvisionError('E_BUNDLE', `${this.source}: '${key}' is ${t.dtype}, expected an integer tensor`);
    return t as Tensor<'int64'>;
  }

  /** Marks keys as expected though unused (e.g. BERT's pooler, BatchNorm's `num_batches_tracked`). */
  ignore(...keys: string[]): void {
    for (const k of keys) if (this.dict.has(k)) this.used.add(k);
  }

  /**
   * Counts consecutive numbered children `prefix0.`, `prefix1.`, … present among the keys.
   * @param prefix - e.g. `text_model.model.encoder.layer.`
   * @returns how many indices from 0 have at least one key
   */
  count(prefix: string): number {
    const seen = new Set<number>();
    for (const k of this.dict.keys()) {
      if (!k.startsWith(prefix)) continue;
      const m = /^(\d+)\./.exec(k.slice(prefix.length));
      if (m !== null) seen.add(Number(m[1]));
    }
    let n = 0;
    while (seen.has(n)) n++;
    return n;
  }

  /**
   * Fails when a key under one of the prefixes was never read.
   * @param prefixes - key prefixes this builder owns
   * @throws EnvisionError `E_BUNDLE` naming the unexpected keys (the first few)
   */
  checkAllUsed(prefixes: readonly string[]): void {
    const extra = [...this.dict.keys()].filter((k) => prefixes.some((p) => k.startsWith(p)) && !this.used.has(k));
    if (extra.length > 0) {
      const shown = extra.slice(0, 5).map((k) => `'${k}'`).join(', ');
      throw new EnvisionError('E_BUNDLE', `${this.source}: unexpected key${extra.length > 1 ? 's' : ''} ${shown}${extra.length > 5 ? ` and ${extra.length - 5} more` : ''}`);
    }
  }
}
