import {
  EnvisionError,
  checkMethodResult,
  isEnvisionError,
  isLinearInTarget,
  resolveOptions,
  tensor,
  type AttributionMethod,
  type AttributionRequest,
  type MethodResolver,
  type Tensor,
} from '@envision/core';
import { noiseSamples } from './noise.js';

/** How the sampled attributions are combined (Captum's `nt_type`). */
export type NoiseTunnelType = 'smoothgrad' | 'smoothgrad_sq' | 'vargrad';

/** Options of the noise tunnel (Captum's `NoiseTunnel.attribute` arguments). */
export interface NoiseTunnelOptions {
  /** Id of the wrapped method (any registered method but a noise tunnel), e.g. `saliency`. */
  readonly method: string;
  /**
   * Options of the wrapped method, merged over its defaults and checked against its schema.
   * @default {}
   */
  readonly methodOptions: Record<string, unknown>;
  /**
   * `smoothgrad`: the mean of the sampled attributions; `smoothgrad_sq`: the mean of their squares; `vargrad`: their
   * variance, E[a²] − E[a]² (the population variance, as Captum computes it).
   * @default 'smoothgrad'
   */
  readonly type: NoiseTunnelType;
  /**
   * Number of noisy samples (Captum's `nt_samples`).
   * @default 5
   */
  readonly samples: number;
  /**
   * Standard deviation of the Gaussian noise added to the input, in the model's input units (Captum's `stdevs`).
   * @default 1
   */
  readonly stdevs: number;
  /**
   * Seed of the noise; the same seed gives the same maps.
   * @default 0
   */
  readonly seed: number;
}

/** The id of this method, which it cannot wrap. */
const ID = 'noise-tunnel';

/**
 * The wrapped method and its resolved options.
 * @throws EnvisionError `E_CONFIG`, one line: no registry, an unknown id, a noise tunnel inside a noise tunnel, or
 *   inner options that do not fit the inner method's schema (named `noise-tunnel.methodOptions`)
 */
export function innerMethod(options: NoiseTunnelOptions, methods: MethodResolver | undefined): { method: AttributionMethod; options: Record<string, unknown> } {
  if (methods === undefined) {
    throw new EnvisionError('E_CONFIG', `${ID}.method: cannot look up '${options.method}' without the registered methods; run it through attribute() with resolveMethod (envision run and bench do)`);
  }
  if (options.method === ID) throw new EnvisionError('E_CONFIG', `${ID}.method: a noise tunnel cannot wrap another noise tunnel; name the inner method (e.g. saliency) and set type, samples and stdevs here`);
  let method: AttributionMethod;
  try {
    method = methods(options.method);
  } catch (e) {
    if (isEnvisionError(e)) throw new EnvisionError('E_CONFIG', `${ID}.method: ${e.message}`);
    throw e;
  }
  if (method.meta.id === ID) throw new EnvisionError('E_CONFIG', `${ID}.method: '${options.method}' is a noise tunnel, which a noise tunnel cannot wrap`);
  return { method, options: resolveOptions(method.meta, options.methodOptions, `${ID}.methodOptions (method ${method.meta.id})`) };
}

/** The inner method's flag for these options, or `fallback` when it cannot be resolved (the error comes when it runs). */
function innerFlag(options: NoiseTunnelOptions, methods: MethodResolver | undefined, read: (inner: ReturnType<typeof innerMethod>) => boolean, fallback: boolean): boolean {
  try {
    return read(innerMethod(options, methods));
  } catch {
    return fallback;
  }
}

/**
 * NoiseTunnel (Smilkov et al. 2017; Adebayo et al. 2018; Captum `NoiseTunnel`) over any registered method: the inner
 * method's K maps at `samples` noisy inputs x + ε_s, ε_s ~ N(0, stdevs²) drawn by {@link noiseSamples}, combined per
 * element as the mean (smoothgrad), the mean of squares (smoothgrad_sq) or E[a²] − E[a]² (vargrad, Captum's
 * population variance). Sums are kept in float64. With a nonlinear head, the head's cotangent rows are taken at each
 * noisy input (the target given is the head's at the clean input). The samples run one after another through the
 * request's model (one session); progress is reported in samples.
 *
 * Linear in the target for smoothgrad when the inner method is, with its options; maps are shaped as the inner
 * method's. Declared `perturbation`: the tunnel itself only runs the model forward, and a gradient inner method
 * reports a model without gradients itself.
 */
export const noiseTunnel: AttributionMethod<NoiseTunnelOptions> = {
  meta: {
    id: ID,
    kind: 'perturbation',
    linear: (options, methods) => options.type === 'smoothgrad' && innerFlag(options, methods, (inner) => isLinearInTarget(inner.method, inner.options, methods), false),
    mapsShapedLikeInput: (options, methods) =>
      innerFlag(options, methods, (inner) => {
        const flag = inner.method.meta.mapsShapedLikeInput;
        return flag === undefined ? true : typeof flag === 'function' ? flag(inner.options, methods) : flag;
      }, true),
    description: 'Mean, mean of squares or variance of another method\'s maps over Gaussian noise added to the input (SmoothGrad, VarGrad).',
    paper: 'Smilkov, Thorat, Kim, Viégas & Wattenberg (2017), SmoothGrad: removing noise by adding noise, arXiv:1706.03825; Adebayo et al. (2018), Local Explanation Methods for Deep Neural Networks Lack Sensitivity to Parameter Values, arXiv:1810.03307.',
    optionsSchema: {
      type: 'object',
      properties: {
        method: { type: 'string', minLength: 1, description: 'Id of the wrapped method.' },
        methodOptions: { type: 'object', description: "Options of the wrapped method (checked against its schema)." },
        type: { enum: ['smoothgrad', 'smoothgrad_sq', 'vargrad'], description: 'How the sampled maps are combined (nt_type).' },
        samples: { type: 'integer', minimum: 1, description: 'Number of noisy samples (nt_samples).' },
        stdevs: { type: 'number', minimum: 0, description: 'Standard deviation of the input noise.' },
        seed: { type: 'integer', description: 'Seed of the noise.' },
      },
      required: ['method'],
      additionalProperties: false,
    },
    defaultOptions: { methodOptions: {}, type: 'smoothgrad', samples: 5, stdevs: 1, seed: 0 },
  },
  async attribute(request) {
    const { options, methods, inputs, wrt, of, head, model } = request;
    const inner = innerMethod(options, methods);
    const x = inputs[wrt]!;
    if (x.dtype !== 'float32') throw new EnvisionError('E_INPUT', `${ID} adds noise to a float32 input; '${wrt}' is ${x.dtype}`);
    const n = x.data.length;
    const k = request.target.shape[0]!;
    let sum: Float64Array | undefined;
    let sumSq: Float64Array | undefined;
    let shape: readonly number[] = [];
    let s = 0;
    for (const noise of noiseSamples(options.samples, n, options.stdevs, options.seed)) {
      const noisy = new Float32Array(n);
      for (let i = 0; i < n; i++) noisy[i] = (x.data[i] as number) + noise[i]!;
      const point = tensor('float32', x.shape, noisy);
      const feeds = { ...inputs, [wrt]: point };
      const target = head === undefined ? request.target : head.cotangents((await model.run(feeds, [of]))[of] as Tensor<'float32'>);
      const done = s;
      const sampleRequest: AttributionRequest<Record<string, unknown>> = {
        ...request,
        inputs: feeds,
        options: inner.options,
        target,
        onProgress: (d, t) => request.onProgress?.(done + d / t, options.samples),
      };
      const maps = checkMethodResult(inner.method, inner.options, await inner.method.attribute(sampleRequest), k, x.shape, methods);
      if (sum === undefined) {
        shape = maps.shape;
        sum = new Float64Array(maps.data.length);
        sumSq = new Float64Array(maps.data.length);
      }
      for (let i = 0; i < maps.data.length; i++) {
        const a = maps.data[i]!;
        sum[i]! += a;
        sumSq![i]! += a * a;
      }
      s += 1;
      request.onProgress?.(s, options.samples);
    }
    const mean = Float64Array.from(sum!, (v) => v / s);
    const meanSq = Float64Array.from(sumSq!, (v) => v / s);
    const combined =
      options.type === 'smoothgrad' ? mean : options.type === 'smoothgrad_sq' ? meanSq : meanSq.map((v, i) => v - mean[i]! * mean[i]!);
    return {
      maps: tensor('float32', shape, Float32Array.from(combined)),
      report: { method: inner.method.meta.id, type: options.type, samples: s, stdevs: options.stdevs, seed: options.seed },
    };
  },
};
