import { EnvisionError } from '../errors.js';
import type { ValueFacts } from './probe.js';

/**
 * Where the batch lives in each probed value, and what each value looks like at another batch size. The backward
 * pass runs at batch N = K·B (K cotangent rows for each of B images); a value computed at batch B is brought to
 * batch N by tiling it K times along its batch axis, which is exact when the batch is the outermost factor of that
 * axis (true of the layouts vision and text encoders use: `[B, …]`, `[B·windows, …]`, `[L, B, …]`).
 */
export class BatchLayout {
  constructor(private readonly facts: ReadonlyMap<string, ValueFacts>) {}

  /** True when the value was probed. */
  has(name: string): boolean {
    return this.facts.has(name);
  }

  /** Facts about a probed value. */
  get(name: string): ValueFacts {
    const f = this.facts.get(name);
    if (f === undefined) throw new EnvisionError('E_ONNX', `gradient builder: value '${name}' was not probed`);
    return f;
  }

  /**
   * The axis whose size grows with the batch, or null when the value does not depend on the batch size.
   * @throws EnvisionError when the batch changes more than one axis, or by another factor than the batch
   */
  batchAxis(name: string): number | null {
    const { shape1, shape2 } = this.get(name);
    if (shape1.length !== shape2.length) throw entangled(name, shape1, shape2);
    const changed = shape1.map((d, i) => (d === shape2[i] ? -1 : i)).filter((i) => i >= 0);
    if (changed.length === 0) return null;
    const axis = changed[0]!;
    if (changed.length > 1 || shape2[axis] !== 2 * shape1[axis]!) throw entangled(name, shape1, shape2);
    return axis;
  }

  /** The value's shape when the model runs at batch `n`. */
  shape(name: string, n: number): number[] {
    const axis = this.batchAxis(name);
    const { shape1 } = this.get(name);
    return shape1.map((d, i) => (i === axis ? d * n : d));
  }

  /**
   * The contents of an integer value at batch `n` when they follow from shapes alone (equal in both probes, or an
   * affine function of the batch size with the same shape, and unchanged on other data), else undefined.
   */
  ints(name: string, n: number): number[] | undefined {
    const { ints1, ints2, intsOther, shape1, shape2 } = this.get(name);
    if (ints1 === undefined || ints2 === undefined || shape1.length !== shape2.length || shape1.some((d, i) => d !== shape2[i])) return undefined;
    if (intsOther !== undefined && (intsOther.length !== ints1.length || intsOther.some((v, i) => v !== ints1[i]))) return undefined;
    return ints1.map((v, i) => v + (n - 1) * (ints2[i]! - v));
  }
}

function entangled(name: string, a: readonly number[], b: readonly number[]): EnvisionError {
  return new EnvisionError(
    'E_ONNX',
    `gradient builder: value '${name}' changes from [${a.join(', ')}] at batch 1 to [${b.join(', ')}] at batch 2; the batch must be the outermost factor of one axis to batch several cotangent rows (use one row per call)`,
  );
}
