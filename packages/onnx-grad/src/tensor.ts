/** Element types Envision tensors carry. */
export type DType = 'float32' | 'float64' | 'int64';

/** The typed array behind each {@link DType}. */
export interface DataOf {
  float32: Float32Array;
  float64: Float64Array;
  int64: BigInt64Array;
}

/** A dense C-order tensor: a dtype, a shape and a flat typed array of `product(shape)` elements. */
export interface Tensor<D extends DType = DType> {
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: DataOf[D];
}

/** Number of elements of a tensor with this shape (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Builds a tensor, checking that `data` has exactly `product(shape)` elements. */
export function tensor<D extends DType>(dtype: D, shape: readonly number[], data: DataOf[D]): Tensor<D> {
  const n = sizeOf(shape);
  if (data.length !== n) {
    throw new RangeError(`tensor of shape [${shape.join(', ')}] needs ${n} elements, got ${data.length}`);
  }
  return { dtype, shape: [...shape], data };
}

/** A float32 tensor filled with zeros. */
export function zeros(shape: readonly number[]): Tensor<'float32'> {
  return tensor('float32', shape, new Float32Array(sizeOf(shape)));
}

/** Formats a shape as `[a, b, c]` for messages. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** True when two shapes are equal element by element. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Row `k` of a tensor along its first axis, as a view (no copy). */
export function row<D extends DType>(t: Tensor<D>, k: number): Tensor<D> {
  const inner = t.shape.slice(1);
  const n = sizeOf(inner);
  const data = t.data.subarray(k * n, (k + 1) * n) as DataOf[D];
  return { dtype: t.dtype, shape: inner, data };
}

/** Item `i` of a batch `[B, …]`, keeping its batch axis: `[1, …]` (a view, no copy). */
export function batchItem<D extends DType>(t: Tensor<D>, i: number): Tensor<D> {
  const r = row(t, i);
  return tensor(t.dtype, [1, ...r.shape], r.data);
}

/** Stacks equally shaped tensors along a new first axis. */
export function stack(rows: readonly Tensor<'float32'>[]): Tensor<'float32'> {
  if (rows.length === 0) throw new RangeError('stack needs at least one tensor');
  const inner = rows[0]!.shape;
  const n = sizeOf(inner);
  const out = new Float32Array(rows.length * n);
  rows.forEach((r, k) => {
    if (!sameShape(r.shape, inner)) throw new RangeError(`stack: shape ${formatShape(r.shape)} differs from ${formatShape(inner)}`);
    out.set(r.data, k * n);
  });
  return tensor('float32', [rows.length, ...inner], out);
}

/** A tensor with batch 1 repeated `times` times along its first axis (other models' inputs beside a batched one). */
export function repeatBatch<T extends Tensor>(t: T, times: number): T {
  const Ctor = t.data.constructor as new (n: number) => T['data'];
  const data = new Ctor(t.data.length * times);
  for (let i = 0; i < times; i++) (data as Float32Array).set(t.data as Float32Array, i * t.data.length);
  return { dtype: t.dtype, shape: [times, ...t.shape.slice(1)], data } as unknown as T;
}

/** max |actual − expected| and max |expected| over two tensors or arrays of the same length. */
function deviation(actual: Tensor | ArrayLike<number>, expected: Tensor | ArrayLike<number>): { diff: number; scale: number } {
  const a = 'data' in actual && 'shape' in actual ? actual.data : actual;
  const b = 'data' in expected && 'shape' in expected ? expected.data : expected;
  if (a.length !== b.length) throw new RangeError(`cannot compare ${a.length} values with ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(Number(a[i]) - Number(b[i])));
    scale = Math.max(scale, Math.abs(Number(b[i])));
  }
  return { diff, scale };
}

/**
 * max |actual − expected| / max |expected|: the relative error used to compare maps and gradients with references
 * (tensors or plain arrays of the same length).
 */
export function maxRelativeError(actual: Tensor | ArrayLike<number>, expected: Tensor | ArrayLike<number>): number {
  const { diff, scale } = deviation(actual, expected);
  return diff / scale;
}

/** max |actual − expected|: the absolute error used to compare pixels with references (same length required). */
export function maxAbsoluteError(actual: Tensor | ArrayLike<number>, expected: Tensor | ArrayLike<number>): number {
  return deviation(actual, expected).diff;
}
