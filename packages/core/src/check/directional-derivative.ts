import { type DifferentiableModel, type NamedTensors, SeededRandom, type Tensor, sizeOf, tensor } from '@envision/onnx-grad';
import { relativeDeviation } from './compare.js';

/**
 * The steps, tolerance and seed of the finite-difference check of a vjp. The check compares the directional derivative
 * of c_k · f at x along a direction v — the sum of the vjp gradients scaled to a largest entry of 1, plus 0.1 × seeded
 * noise — from the vjp (⟨vjp(c_k), v⟩) and from central differences (c_k · (f(x + h·v) − f(x − h·v)) / 2h), and
 * accepts max_k |error| / max_k |difference quotient| ≤ `tolerance`.
 *
 * The model runs in float32, so no one step fits every model: the rounding error of f (~1e-7 relative) divided by 2h
 * wants a large step; the truncation error of a smooth model and, above all, the ReLU and max-pool units whose inputs
 * cross their kink within ±h (an error proportional to h) want a small one. Measured: a tanh CNN is best near
 * h = 1e-3 (error ~1e-6; 1e-3 at h = 1e-5), a ReLU/max-pool CNN on a 224² image near h = 1e-5 (~1e-3; 1e-2 at h = 1e-4,
 * 0.5 at h = 1e-2). So by default four steps a decade apart are tried and the smallest error kept; a wrong gradient
 * (a sign, a missing factor, a wrong rule) is off by O(1) at every step, so the best of four does not hide it.
 */
export interface FiniteDifferenceOptions {
  /**
   * One step h of the central differences, relative to max(1, max |x|), instead of the best of four.
   * @default the best of 1e-2, 1e-3, 1e-4 and 1e-5
   */
  readonly step?: number;
  /** Largest accepted error relative to the largest finite-difference value. @default 1e-2 */
  readonly tolerance?: number;
  /** Seed of the noise in the direction. @default 1 */
  readonly seed?: number;
}

/** The relative steps tried by default, one decade apart. */
export const DEFAULT_STEPS: readonly number[] = [1e-2, 1e-3, 1e-4, 1e-5];

/** The outcome of {@link directionalDerivative}: one value per cotangent row, both ways, and their relative error. */
export interface DirectionalDerivative {
  /** ⟨vjp(c_k), v⟩, per row k. */
  readonly analytic: Float64Array;
  /** Σ_o c_k,o · (f(x + h·v) − f(x − h·v))_o / 2h, per row k, in float64 from the float32 outputs, at the best step. */
  readonly numeric: Float64Array;
  /** max_k |analytic − numeric| / max_k |numeric| at the best step (0 when both vanish, NaN for non-finite values). */
  readonly relativeError: number;
  /** The absolute step h that gave the smallest error. */
  readonly step: number;
}

/**
 * The direction v of the check, `[B, …S]` flattened: the sum over rows of the vjp gradients scaled to a largest entry
 * of 1, plus 0.1 × seeded uniform noise in [−1, 1]. Along a random direction alone the derivative with respect to a
 * large input (an image) cancels to ~1e-3 of its size and drowns in float32 noise; along the gradient it is as large
 * as it gets. The noise keeps the check honest when the gradient is zero or points nowhere: the forward pass still
 * moves, the vjp says it does not.
 * @param gradient - the vjp gradients, float32 `[B, K, …S]`
 * @param seed - seed of the noise
 */
export function direction(gradient: Tensor<'float32'>, seed: number): Float64Array {
  const [b, k] = gradient.shape as [number, number];
  const n = sizeOf(gradient.shape.slice(2));
  const sum = new Float64Array(b * n);
  for (let item = 0; item < b; item++) for (let r = 0; r < k; r++) for (let i = 0; i < n; i++) sum[item * n + i] += gradient.data[(item * k + r) * n + i]!;
  let largest = 0;
  for (const value of sum) largest = Math.max(largest, Math.abs(value));
  const scale = largest > 0 && Number.isFinite(largest) ? 1 / largest : 0;
  const random = new SeededRandom(seed);
  return sum.map((value) => value * scale + 0.1 * (2 * random.uniform() - 1));
}

/**
 * Checks a model's vector–Jacobian product along one direction v (see {@link direction}): the directional derivative
 * of c_k · f at x, from `vjp` (⟨∂(c_k·f)/∂x, v⟩) and from central finite differences of the forward model, at the
 * steps and with the reasoning of {@link FiniteDifferenceOptions}. One vjp and two forward runs per step, whatever the
 * input size.
 *
 * @param model - the model whose vjp is checked
 * @param feeds - a tensor for every input; `feeds[wrt]` is float32
 * @param of - the output, `[B, …O]`
 * @param wrt - the input, `[B, …S]`
 * @param cotangent - float32 `[K, …O]` rows c_k
 * @param options - step and seed (the tolerance is the caller's)
 */
export async function directionalDerivative(
  model: DifferentiableModel,
  feeds: NamedTensors,
  of: string,
  wrt: string,
  cotangent: Tensor<'float32'>,
  options: FiniteDifferenceOptions = {},
): Promise<DirectionalDerivative> {
  const x = feeds[wrt] as Tensor<'float32'>;
  const { gradient } = await model.vjp(feeds, of, wrt, cotangent);
  const v = direction(gradient, options.seed ?? 1);
  const analytic = project(gradient, v);
  let size = 1;
  for (const value of x.data) size = Math.max(size, Math.abs(value));
  let best: DirectionalDerivative | undefined;
  for (const relative of options.step === undefined ? DEFAULT_STEPS : [options.step]) {
    const h = relative * size;
    const forward = async (sign: number) => {
      const moved = tensor('float32', x.shape, Float32Array.from(x.data, (value, i) => value + sign * h * v[i]!));
      return (await model.run({ ...feeds, [wrt]: moved }, [of]))[of]!.data as Float32Array;
    };
    const numeric = differences(await forward(1), await forward(-1), cotangent, x.shape[0]!, h);
    const relativeError = relativeDeviation(analytic, numeric);
    if (best === undefined || relativeError < best.relativeError || Number.isNaN(best.relativeError)) best = { analytic, numeric, relativeError, step: h };
  }
  return best!;
}

/** ⟨g_k, v⟩ per row k of gradients `[B, K, …S]`, summed over the batch. */
function project(gradient: Tensor<'float32'>, v: Float64Array): Float64Array {
  const [b, k] = gradient.shape as [number, number];
  const n = sizeOf(gradient.shape.slice(2));
  const out = new Float64Array(k);
  for (let item = 0; item < b; item++) for (let r = 0; r < k; r++) for (let i = 0; i < n; i++) out[r] += gradient.data[(item * k + r) * n + i]! * v[item * n + i]!;
  return out;
}

/** Σ_o c_k,o · (plus − minus)_o / 2h per row k, summed over the batch of `b` outputs. */
function differences(plus: Float32Array, minus: Float32Array, cotangent: Tensor<'float32'>, b: number, h: number): Float64Array {
  const k = cotangent.shape[0]!;
  const o = sizeOf(cotangent.shape.slice(1));
  const out = new Float64Array(k);
  for (let r = 0; r < k; r++) for (let item = 0; item < b; item++) for (let i = 0; i < o; i++) out[r] += (cotangent.data[r * o + i]! * (plus[item * o + i]! - minus[item * o + i]!)) / (2 * h);
  return out;
}
