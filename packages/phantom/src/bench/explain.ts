import { type VlmAdapter, attribute, isLinearInTarget, type AttributionMethod, type MethodResolver, resolveOptions, chooseStrategy, fuseStored, perDimensionMaps, type PreparedTarget, type PluginRegistry, sumChannels, tensor, type Tensor } from '@envision/core';
import { BENCH_APPROACHES, type BenchApproach, type BenchMethodSpec } from './types.js';

/** A method ready to run: the plugin, its validated options, and whether it is linear in its target. */
export interface ResolvedBenchMethod {
  /** Method id. */
  readonly id: string;
  /** The plugin. */
  readonly method: AttributionMethod;
  /** Options merged over the method's defaults and validated. */
  readonly options: Record<string, unknown>;
  /** Whether the method is linear in its target with these options. */
  readonly linear: boolean;
  /** The registry's methods, for a method that runs another by id (noise-tunnel). */
  readonly resolveMethod?: MethodResolver;
}

/**
 * Looks the methods up and validates their options, before any long work.
 *
 * @param registry - holds the method plugins
 * @param specs - ids and options
 * @returns the resolved methods, in order
 * @throws EnvisionError `E_PLUGIN` for an unknown id (listing the valid ones); `E_CONFIG` for bad options
 */
export function resolveBenchMethods(registry: PluginRegistry, specs: readonly BenchMethodSpec[]): ResolvedBenchMethod[] {
  const resolveMethod = registry.methodResolver();
  return specs.map(({ id, options }) => {
    const method = registry.get('method', id).plugin as AttributionMethod;
    const resolved = resolveOptions(method.meta, { ...options }, `method ${id} options`);
    return { id, method, options: resolved, linear: isLinearInTarget(method, resolved, resolveMethod), resolveMethod };
  });
}

/**
 * Explains one image with one method for both approaches: one channel-summed map per class, `[K, H, W]`.
 *
 * The strategy is the pipeline's ({@link chooseStrategy}, `auto`): a method linear in its target runs `direct` —
 * with the classifier head for the baseline (exact at every evaluated point), on the class's fused cotangent for the
 * proposed approach; a nonlinear method (Guided Backprop) computes the M per-dimension maps once and both approaches
 * fuse them with their weights at the image's embedding (`jacobian`, the paper's literal procedure).
 *
 * @param method - the resolved method
 * @param targets - the approaches' targets (one row per class)
 * @param vision - the vision model and its input/output names
 * @param pixels - the preprocessed image, `[1, C, H, W]`
 * @param embedding - its image embedding, length M
 * @param onProgress - progress inside the attributions, in units of approaches
 * @returns per approach, the class maps `[K, H, W]`
 */
export async function explainImage(
  method: ResolvedBenchMethod,
  targets: Readonly<Record<BenchApproach, PreparedTarget>>,
  vision: VlmAdapter['vision'],
  pixels: Tensor<'float32'>,
  embedding: Float32Array,
  onProgress?: (done: number, total: number) => void,
): Promise<Record<BenchApproach, Tensor<'float32'>>> {
  const m = embedding.length;
  const [, , h, w] = pixels.shape as [number, number, number, number];
  let store: Tensor<'float32'> | undefined;
  const out = {} as Record<BenchApproach, Tensor<'float32'>>;
  for (const [a, approach] of BENCH_APPROACHES.entries()) {
    const target = targets[approach];
    const { weights, head } = target.at(embedding);
    const rows = weights.shape[0]!;
    const progress = (d: number, t: number) => onProgress?.(a + d / t, BENCH_APPROACHES.length);
    if (chooseStrategy('auto', method.linear, target, rows, m) === 'jacobian') {
      store ??= (await perDimensionMaps(method.method, method.options, vision.model, vision.input, vision.output, pixels, m, progress, { resolveMethod: method.resolveMethod })).maps;
      out[approach] = await fuseStored(store, weights);
      continue;
    }
    const { maps } = await attribute({
      method: method.method,
      options: method.options,
      model: vision.model,
      inputs: { [vision.input]: pixels },
      wrt: vision.input,
      of: vision.output,
      weights,
      strategy: 'direct',
      ...(head ? { head } : {}),
      onProgress: progress,
      ...(method.resolveMethod ? { resolveMethod: method.resolveMethod } : {}),
    });
    const inner = maps.shape.slice(1);
    const n = inner.reduce((x, y) => x * y, 1);
    const planes = new Float32Array(rows * h * w);
    for (let k = 0; k < rows; k++) planes.set(sumChannels(tensor('float32', inner, maps.data.subarray(k * n, (k + 1) * n))), k * h * w);
    out[approach] = tensor('float32', [rows, h, w], planes);
  }
  return out;
}
