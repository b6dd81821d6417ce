import { EnvisionError, isDifferentiable, type Model, type NamedTensors, type Tensor, formatShape, sameShape, sizeOf, tensor } from '@envision/onnx-grad';
import type { AttributionMethod, AttributionResult, OutputHead } from './method.js';
import { resolveOptions } from './options.js';
import { checkMethodResult, isLinearInTarget } from './method-maps.js';

/**
 * How a weighted target is explained. `direct`: one attribution of each weighted sum w_k · f.
 * `jacobian`: one attribution per output element f_i, then map_k = Σ_i w_k,i · map_i (the paper's literal procedure).
 * `auto`: `direct` when the method is linear in its target and K is below the number of output elements, else `jacobian`.
 */
export type Strategy = 'auto' | 'direct' | 'jacobian';

/** One attribution job: a method applied to one model input for K weighted targets. */
export interface AttributeJob {
  readonly method: AttributionMethod;
  /** User options; merged over the method's defaults and validated against its schema. */
  readonly options?: Record<string, unknown>;
  readonly model: Model;
  readonly inputs: NamedTensors;
  readonly wrt: string;
  readonly of: string;
  /** float32 `[K, …O]` output weights, or a function making them from the output shape `O` (e.g. a one-hot row). */
  readonly weights: Tensor<'float32'> | ((outputShape: readonly number[]) => Tensor<'float32'>);
  /** @default 'auto' */
  readonly strategy?: Strategy;
  readonly head?: OutputHead;
  readonly onProgress?: (done: number, total: number) => void;
}

/** The maps and what ran. */
export interface AttributeOutcome extends AttributionResult {
  /** The strategy that actually ran (never `auto`). */
  readonly strategy: 'direct' | 'jacobian';
  /** Wall time of the attribution, in milliseconds. */
  readonly milliseconds: number;
}

/** The one-hot weights `[O, …O]` selecting each output element in turn. */
export function identityWeights(outputShape: readonly number[]): Tensor<'float32'> {
  const o = sizeOf(outputShape);
  const data = new Float32Array(o * o);
  for (let i = 0; i < o; i++) data[i * o + i] = 1;
  return tensor('float32', [o, ...outputShape], data);
}

/** One-hot weights `[1, …O]` for output element `index` (flat, after the batch axis). */
export function oneHotWeights(outputShape: readonly number[], index: number): Tensor<'float32'> {
  const o = sizeOf(outputShape);
  if (!Number.isInteger(index) || index < 0 || index >= o) {
    throw new EnvisionError('E_INPUT', `target index ${index} is out of range: the output has ${o} elements after the batch axis (0…${o - 1})`);
  }
  const data = new Float32Array(o);
  data[index] = 1;
  return tensor('float32', [1, ...outputShape], data);
}

/** Combines per-element maps `[O, …S]` with weights `[K, …O]` into `[K, …S]`: map_k = Σ_i w_k,i · map_i. */
export function combineMaps(elementMaps: Tensor<'float32'>, weights: Tensor<'float32'>): Tensor<'float32'> {
  const o = elementMaps.shape[0]!;
  const k = weights.shape[0]!;
  const inner = elementMaps.shape.slice(1);
  const n = sizeOf(inner);
  const out = new Float64Array(k * n);
  for (let r = 0; r < k; r++) {
    for (let i = 0; i < o; i++) {
      const w = weights.data[r * o + i]!;
      if (w === 0) continue;
      const src = elementMaps.data.subarray(i * n, (i + 1) * n);
      for (let j = 0; j < n; j++) out[r * n + j]! += w * src[j]!;
    }
  }
  return tensor('float32', [k, ...inner], Float32Array.from(out));
}

/**
 * Runs an attribution method with a strategy. Checks the inputs and the target's shape against the model's output
 * first, so that mistakes are reported before any long computation.
 *
 * @throws EnvisionError `E_INPUT` when `wrt`, `of` or the weights do not fit the model; `E_CONFIG` for bad options;
 *   `E_METHOD` when a gradient method meets a model without gradients
 */
export async function attribute(job: AttributeJob): Promise<AttributeOutcome> {
  const { method, model, inputs, wrt, of } = job;
  const options = resolveOptions(method.meta, job.options ?? {}, `method ${method.meta.id}`);
  if (!model.inputs.some((i) => i.name === wrt)) {
    throw new EnvisionError('E_INPUT', `the model has no input '${wrt}' to attribute (inputs: ${model.inputs.map((i) => i.name).join(', ')})`);
  }
  const info = model.outputs.find((o) => o.name === of);
  if (info === undefined) {
    throw new EnvisionError('E_INPUT', `the model has no output '${of}' to explain (outputs: ${model.outputs.map((o) => o.name).join(', ')})`);
  }
  if (info.dtype !== 'float32' && info.dtype !== 'float64') {
    throw new EnvisionError('E_INPUT', `output '${of}' is ${info.dtype}: only a float output can be explained (outputs: ${model.outputs.map((o) => `${o.name} ${o.dtype}`).join(', ')})`);
  }
  const x = inputs[wrt];
  if (x === undefined || x.shape[0] !== 1) {
    throw new EnvisionError('E_INPUT', `input '${wrt}' must have batch 1, shape [1, …], got ${x === undefined ? 'nothing' : formatShape(x.shape)}`);
  }
  if (method.meta.kind === 'gradient' && !isDifferentiable(model)) {
    throw new EnvisionError('E_METHOD', `method '${method.meta.id}' needs gradients, which this model does not provide; perturbation methods (occlusion) still work`);
  }
  const started = performance.now();
  const output = (await model.run(inputs, [of]))[of]!;
  const outputShape = output.shape.slice(1);
  const weights = typeof job.weights === 'function' ? job.weights(outputShape) : job.weights;
  if (!sameShape(weights.shape.slice(1), outputShape)) {
    throw new EnvisionError(
      'E_INPUT',
      `target weights have shape ${formatShape(weights.shape)} but output '${of}' is ${formatShape(output.shape)}: expected [K, ${outputShape.join(', ')}]`,
    );
  }
  const k = weights.shape[0]!;
  const o = sizeOf(outputShape);
  const wanted = job.strategy ?? 'auto';
  const strategy = wanted === 'auto' ? (isLinearInTarget(method, options) && k < o && job.head === undefined ? 'direct' : 'jacobian') : wanted;
  const request = { model, inputs, wrt, of, options, ...(job.onProgress ? { onProgress: job.onProgress } : {}) };
  if (strategy === 'direct' || job.head !== undefined) {
    const result = await method.attribute({ ...request, target: weights, ...(job.head ? { head: job.head } : {}) });
    checkMethodResult(method, options, result, k, x.shape);
    checkFinite(result.maps, method.meta.id);
    return { ...result, strategy: 'direct', milliseconds: performance.now() - started };
  }
  const perElement = await method.attribute({ ...request, target: identityWeights(outputShape) });
  checkMethodResult(method, options, perElement, o, x.shape);
  checkFinite(perElement.maps, method.meta.id);
  const maps = combineMaps(perElement.maps, weights);
  return { maps, ...(perElement.report ? { report: perElement.report } : {}), strategy: 'jacobian', milliseconds: performance.now() - started };
}

/**
 * Fails when a method's maps hold NaN or ±Infinity: the inputs are not finite, an option overflows (a baseline of 1e39
 * is Infinity in float32), or the model is not finite there — a map of NaNs is never a result.
 * @throws EnvisionError `E_METHOD` naming the method and the first bad row
 */
export function checkFinite(maps: Tensor<'float32'>, method: string): void {
  const inner = maps.data.length / Math.max(1, maps.shape[0] ?? 1);
  for (let i = 0; i < maps.data.length; i++) {
    if (!Number.isFinite(maps.data[i])) {
      throw new EnvisionError('E_METHOD', `method ${method} produced ${maps.data[i]} in map row ${Math.floor(i / inner)}: check that the inputs are finite and that no option overflows float32 (a baseline or noise beyond ±3.4e38)`);
    }
  }
}
