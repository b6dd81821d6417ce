import { EnvisionError, formatShape, isDifferentiable, type Tensor } from '@envision/onnx-grad';
import type { VlmAdapter } from './adapter.js';

/** Where a loaded adapter came from (its id and package), for messages. */
export interface AdapterOrigin {
  readonly id: string;
  readonly packageName: string;
}

const describe = (origin: AdapterOrigin) => `adapter '${origin.id}' (${origin.packageName})`;

/**
 * Checks a loaded adapter against the contract before any image is read: a positive integer `embeddingDim`, a finite
 * `logitScale`, the entry functions, a vision model that has the named input and output, an output whose declared
 * width (when the model declares one) is `embeddingDim`, and — when the experiment uses gradient methods — a vision
 * model with vector–Jacobian products.
 *
 * @param gradientMethods - ids of the experiment's gradient methods (they need `vision.model.vjp`)
 * @throws EnvisionError `E_PLUGIN` naming the adapter, its package, what it has and what would be valid
 */
export function checkLoadedAdapter(adapter: VlmAdapter, origin: AdapterOrigin, gradientMethods: readonly string[] = []): void {
  const where = describe(origin);
  const fail = (message: string): never => {
    throw new EnvisionError('E_PLUGIN', `${where}: ${message}`);
  };
  if (adapter === null || typeof adapter !== 'object') fail(`load() must resolve to a VlmAdapter object, got ${String(adapter)}`);
  for (const fn of ['preprocessImage', 'encodeImage', 'encodeText'] as const) {
    if (typeof adapter[fn] !== 'function') fail(`the loaded adapter has no ${fn}() function`);
  }
  const m = adapter.embeddingDim;
  if (!Number.isInteger(m) || m <= 0) fail(`embeddingDim must be a positive integer, got ${String(m)}`);
  if (typeof adapter.logitScale !== 'number' || !Number.isFinite(adapter.logitScale)) fail(`logitScale must be a finite number (log of the temperature), got ${String(adapter.logitScale)}`);
  const vision = adapter.vision as Partial<VlmAdapter['vision']> | undefined;
  const model = vision?.model;
  if (model === undefined || !Array.isArray(model.inputs) || !Array.isArray(model.outputs) || typeof model.run !== 'function') {
    return fail('vision.model must be a loaded model (DifferentiableOnnxModel.load(file))');
  }
  if (!model.inputs.some((i) => i.name === vision?.input)) {
    fail(`vision.input '${String(vision?.input)}' is not an input of the vision model (inputs: ${model.inputs.map((i) => i.name).join(', ')})`);
  }
  const output = model.outputs.find((o) => o.name === vision?.output);
  if (output === undefined) {
    return fail(`vision.output '${String(vision?.output)}' is not an output of the vision model (outputs: ${model.outputs.map((o) => o.name).join(', ')})`);
  }
  const width = output.shape.at(-1);
  if (typeof width === 'number' && width > 0 && width !== m) {
    fail(`the vision output '${output.name}' is ${formatShape(output.shape)} but embeddingDim is ${m}: they must agree`);
  }
  if (gradientMethods.length > 0 && !isDifferentiable(model)) {
    fail(`the vision model has no gradients, which ${gradientMethods.join(', ')} need: load it with DifferentiableOnnxModel.load(file) instead of OnnxModel.load`);
  }
}

/**
 * Checks embeddings the adapter computed for `rows` images or texts: float32 `[rows, embeddingDim]`.
 * @param what - `encodeImage` or `encodeText`, for the message
 * @throws EnvisionError `E_PLUGIN` naming the adapter, the shape it returned and the one expected
 */
export function checkEmbeddings(embeddings: Tensor, rows: number, adapter: VlmAdapter, what: 'encodeImage' | 'encodeText'): Tensor<'float32'> {
  const m = adapter.embeddingDim;
  const shape = embeddings.shape;
  if (embeddings.dtype !== 'float32' || shape.length !== 2 || shape[0] !== rows || shape[1] !== m || embeddings.data.length !== rows * m) {
    const of = what === 'encodeImage' ? `${rows} image${rows === 1 ? '' : 's'}` : `${rows} text${rows === 1 ? '' : 's'}`;
    throw new EnvisionError('E_PLUGIN', `adapter '${adapter.id}': ${what} returned ${embeddings.dtype} ${formatShape(shape)} for ${of}, expected float32 [${rows}, ${m}] (embeddingDim ${m})`);
  }
  return embeddings as Tensor<'float32'>;
}
