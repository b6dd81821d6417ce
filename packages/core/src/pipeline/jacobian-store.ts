import { attribute, identityWeights } from '../attribute.js';
import type { AttributionMethod, MethodResolver } from '../method.js';
import { type Model, EnvisionError, OnnxModel, DataType, encodeModel, makeGraph, makeModel, makeNode, makeTensorValueInfo, type Tensor, formatShape, sizeOf, tensor } from '@envision/onnx-grad';
import { sumChannels } from '../render/normalize.js';

/** What a method may need besides its request: other methods by id (a wrapper), the experiment's folder (files). */
export interface PerDimensionContext {
  readonly resolveMethod?: MethodResolver;
  readonly baseDir?: string;
}

/**
 * The paper's literal step 1: the M per-dimension maps of one image for one method, channel-summed, `[M, H, W]`.
 * Computed once, then every prompt is fused from it without touching the model again.
 */
export async function perDimensionMaps(
  method: AttributionMethod,
  options: Record<string, unknown>,
  model: Model,
  input: string,
  output: string,
  pixels: Tensor<'float32'>,
  embeddingDim: number,
  onProgress?: (done: number, total: number) => void,
  context: PerDimensionContext = {},
): Promise<{ maps: Tensor<'float32'>; milliseconds: number }> {
  const started = performance.now();
  const outcome = await attribute({
    method,
    options,
    model,
    inputs: { [input]: pixels },
    wrt: input,
    of: output,
    weights: identityWeights([embeddingDim]),
    strategy: 'direct',
    ...(onProgress ? { onProgress } : {}),
    ...(context.resolveMethod ? { resolveMethod: context.resolveMethod } : {}),
    ...(context.baseDir === undefined ? {} : { baseDir: context.baseDir }),
  });
  const [m, c, h, w] = outcome.maps.shape as [number, number, number, number];
  const plane = h * w;
  const summed = new Float32Array(m * plane);
  for (let i = 0; i < m; i++) summed.set(sumChannels(tensor('float32', [c, h, w], outcome.maps.data.subarray(i * c * plane, (i + 1) * c * plane))), i * plane);
  return { maps: tensor('float32', [m, h, w], summed), milliseconds: performance.now() - started };
}

/** The one-node graph `fused = weights · maps` that fuses stored maps, loaded once per process. */
let fuser: Promise<OnnxModel> | undefined;

function storeFuser(): Promise<OnnxModel> {
  const F = DataType.FLOAT;
  fuser ??= OnnxModel.fromBytes(
    encodeModel(
      makeModel(
        makeGraph(
          [makeNode('MatMul', ['weights', 'maps'], ['fused'])],
          'fuse-stored',
          [makeTensorValueInfo('weights', F, ['R', 'M']), makeTensorValueInfo('maps', F, ['M', 'N'])],
          [makeTensorValueInfo('fused', F, ['R', 'N'])],
        ),
        { '': 17 },
      ),
    ),
    'fuse-stored.onnx',
  );
  return fuser;
}

/**
 * Fuses stored per-dimension maps `[M, H, W]` with weights `[R, M]`: map_r = Σ_i w_r,i · map_i, `[R, H, W]`.
 * One onnxruntime MatMul (a blocked float32 GEMM): for M = 512, 224² and R = 50 it takes about 50 ms where a plain
 * loop takes about 3 s.
 */
export async function fuseStored(store: Tensor<'float32'>, weights: Tensor<'float32'>): Promise<Tensor<'float32'>> {
  const m = store.shape[0]!;
  const inner = store.shape.slice(1);
  const r = weights.shape[0]!;
  if (weights.shape.length !== 2 || weights.shape[1] !== m) {
    throw new EnvisionError('E_INPUT', `fusion weights must be [R, ${m}] for ${m} stored maps, got ${formatShape(weights.shape)}`);
  }
  const n = sizeOf(inner);
  const { fused } = await (await storeFuser()).run(
    { weights, maps: tensor('float32', [m, n], store.data) },
    ['fused'],
  );
  return tensor('float32', [r, ...inner], fused!.data as Float32Array);
}
