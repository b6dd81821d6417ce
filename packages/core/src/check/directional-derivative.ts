import { type DifferentiableModel, type NamedTensors, SeededRandom, type Tensor, sizeOf, tensor } from '@envision/onnx-grad';

/** The step and tolerance of {@link directionalDerivative}, relative as documented there. */
export interface FiniteDifferenceOptions {
  /** Step h of the central differences, relative to max(1, max |x|). @default 1e-2 */
  readonly step?: number;
  /** Largest accepted error relative to the largest finite-difference value. @default 1e-2 */
  readonly tolerance?: number;
  /** Seed of the random direction. @default 1 */
  readonly seed?: number;
}

/** The outcome of {@link directionalDerivative}: one value per cotangent row, both ways, and their relative error. */
export interface DirectionalDerivative {
  /** Σ_i vjp(c_k)_i · v_i, per row k. */
  readonly analytic: Float64Array;
  /** Σ_o c_k,o · (f(x + h·v) − f(x − h·v))_o / 2h, per row k, in float64 from the float32 outputs. */
  readonly numeric: Float64Array;
  /** max_k |analytic − numeric| / max_k |numeric| (0 when both vanish). */
  readonly relativeError: number;
  /** The absolute step h used. */
  readonly step: number;
}

/**
 * Checks a model's vector–Jacobian product along one random direction: the directional derivative of c_k · f at x
 * along v, from `vjp` (⟨∂(c_k·f)/∂x, v⟩) and from central finite differences of the forward model. One vjp and two
 * forward runs, whatever the input size.
 *
 * The model runs in float32, so the step is a compromise: the rounding error of f (≈1e-7 relative after the sums
 * inside the model) is divided by 2h, the truncation error is h²·|f'''|/6, and a ReLU or max-pool unit whose input
 * crosses its kink within ±h adds an error proportional to h. With v uniform in [−1, 1] and h = 1e-2·max(1, max|x|)
 * all three stay near 1e-4 of the largest value on smooth models and well below 1e-2 on ReLU networks; a wrong
 * gradient (a sign, a missing factor, a wrong rule) is off by O(1).
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
  const random = new SeededRandom(options.seed ?? 1);
  const v = Float64Array.from({ length: x.data.length }, () => 2 * random.uniform() - 1);
  let size = 1;
  for (const value of x.data) size = Math.max(size, Math.abs(value));
  const h = (options.step ?? 1e-2) * size;
  const shifted = (sign: number): Tensor<'float32'> => tensor('float32', x.shape, Float32Array.from(x.data, (value, i) => value + sign * h * v[i]!));
  const forward = async (sign: number) => (await model.run({ ...feeds, [wrt]: shifted(sign) }, [of]))[of]!.data as Float32Array;
  const [plus, minus] = [await forward(1), await forward(-1)];
  const { gradient } = await model.vjp(feeds, of, wrt, cotangent);
  const k = cotangent.shape[0]!;
  const o = sizeOf(cotangent.shape.slice(1));
  const b = x.shape[0]!;
  const n = sizeOf(x.shape.slice(1));
  const analytic = new Float64Array(k);
  const numeric = new Float64Array(k);
  for (let r = 0; r < k; r++) {
    for (let item = 0; item < b; item++) {
      for (let i = 0; i < o; i++) numeric[r] += (cotangent.data[r * o + i]! * (plus[item * o + i]! - minus[item * o + i]!)) / (2 * h);
      for (let i = 0; i < n; i++) analytic[r] += gradient.data[(item * k + r) * n + i]! * v[item * n + i]!;
    }
  }
  let error = 0;
  let scale = 0;
  for (let r = 0; r < k; r++) {
    error = Math.max(error, Math.abs(analytic[r]! - numeric[r]!));
    scale = Math.max(scale, Math.abs(numeric[r]!));
  }
  return { analytic, numeric, relativeError: error === 0 ? 0 : error / scale, step: h };
}
