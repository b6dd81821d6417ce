import { EnvisionError, formatShape, sameShape, sizeOf, type Tensor } from '@envision/onnx-grad';
import type { AttributionMethod, AttributionResult } from './method.js';

/** A boolean meta field that may depend on the options, read with its default. */
function metaFlag<O>(flag: boolean | ((options: O) => boolean) | undefined, options: O, fallback: boolean): boolean {
  if (flag === undefined) return fallback;
  return typeof flag === 'function' ? flag(options) : flag;
}

/**
 * Whether a method is linear in its target with these (resolved) options: `meta.linear`, else the deprecated
 * `meta.linearInTarget`, else false.
 */
export function isLinearInTarget<O>(method: AttributionMethod<O>, options: O): boolean {
  return metaFlag(method.meta.linear ?? method.meta.linearInTarget, options, false);
}

/**
 * Checks what a method returned for K target rows against the contract: a result object whose `maps` is a float32
 * tensor `[K, …S]` (the attributed input's shape without its batch, unless the method declares
 * `mapsShapedLikeInput: false` for these options, when only the row count is checked), with as many values
 * as its shape says, all finite. A method that breaks the contract is stopped here rather than rendered.
 *
 * @param inputShape - the attributed input's shape `[1, …S]`
 * @throws EnvisionError `E_METHOD` naming the method, what it returned and what was expected
 */
export function checkMethodResult<O>(method: AttributionMethod<O>, options: O, result: AttributionResult, rows: number, inputShape: readonly number[]): Tensor<'float32'> {
  const id = method.meta.id;
  const maps = (result as Partial<AttributionResult> | undefined)?.maps as Partial<Tensor> | undefined;
  const expected = [rows, ...inputShape.slice(1)];
  if (maps === undefined || maps === null || !Array.isArray(maps.shape) || !ArrayBuffer.isView(maps.data)) {
    throw new EnvisionError('E_METHOD', `method ${id} returned no maps tensor: attribute() must resolve to { maps } with maps float32 ${formatShape(expected)}`);
  }
  if (maps.dtype !== 'float32' || !(maps.data instanceof Float32Array)) {
    throw new EnvisionError('E_METHOD', `method ${id} returned ${String(maps.dtype)} maps: they must be float32 ${formatShape(expected)} (tensor('float32', shape, Float32Array))`);
  }
  const shape = maps.shape;
  if (!shape.every((d) => Number.isInteger(d) && d > 0) || sizeOf(shape) !== maps.data.length) {
    throw new EnvisionError('E_METHOD', `method ${id} returned maps of shape ${formatShape(shape)} holding ${maps.data.length} values: expected float32 ${formatShape(expected)}`);
  }
  const likeInput = metaFlag(method.meta.mapsShapedLikeInput, options, true);
  const fits = likeInput ? sameShape(shape, expected) : shape[0] === rows;
  if (!fits) {
    const what = likeInput ? formatShape(expected) : `[${rows}, …]`;
    throw new EnvisionError('E_METHOD', `method ${id} returned maps of shape ${formatShape(shape)} for ${rows} target rows and input ${formatShape(inputShape)}: expected ${what}`);
  }
  return maps as Tensor<'float32'>;
}
