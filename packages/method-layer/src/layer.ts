import { EnvisionError, type AttributionRequest, type DifferentiableModel, type NamedTensors, type Tensor, isDifferentiable } from '@envision/core';
import type { TokenLayout } from './grid.js';
import type { Upsampling } from './upsample.js';

/** A layer of the explained model at some inputs: the model cut there, its feeds and the activation. */
export interface LayerAt {
  readonly model: DifferentiableModel;
  /** The cut model's feeds: the activation under the layer's name, and the inputs it still reads. */
  readonly feeds: NamedTensors;
  readonly activation: Tensor<'float32'>;
}

/**
 * The layer `name` of the request's model, evaluated with `inputs[wrt]` replaced by `x` (a batch of points).
 * @throws EnvisionError `E_METHOD` when the model gives no gradients or no layers
 */
export async function layerAt(request: AttributionRequest<unknown>, name: string, x: Tensor<'float32'>, method: string): Promise<LayerAt> {
  const { model, inputs, wrt } = request;
  if (!isDifferentiable(model)) throw new EnvisionError('E_METHOD', `${method} needs gradients, which this model does not provide`);
  if (model.layer === undefined) throw new EnvisionError('E_METHOD', `${method} needs a model that exposes its layers (DifferentiableModel.layer)`);
  const all: NamedTensors = { ...inputs, [wrt]: x };
  const { model: cut, activation } = await model.layer(all, name);
  const feeds: NamedTensors = { [name]: activation };
  for (const i of cut.inputs) if (i.name !== name && all[i.name] !== undefined) feeds[i.name] = all[i.name]!;
  return { model: cut, feeds, activation };
}

/** JSON Schema of the `layer` option every layer method has. */
export const layerOption = {
  type: 'string',
  minLength: 1,
  description: 'The intermediate tensor to explain: its name in the ONNX graph (envision grad --wrt lists close names).',
} as const;

/** The options every layer method has: the layer, its layout and how its map is brought to the input. */
export interface LayerMapOptions {
  /** The layer: an intermediate tensor's name (or a name the adapter gives it). */
  readonly layer: string;
  /** `bilinear` / `nearest`: the map resized to the input (Captum's interpolate), spread over its channels; `none`: the layer's resolution. */
  readonly upsample: Upsampling | 'none';
  /** The layer's layout: a feature map (`none`), or tokens forming the patch grid (`all`, `drop-first`). */
  readonly tokens: TokenLayout;
}

/** JSON Schema properties of {@link LayerMapOptions}. */
export const layerMapProperties = {
  layer: layerOption,
  upsample: { enum: ['bilinear', 'nearest', 'none'], description: "Resize the map to the input (Captum's interpolate), or keep the layer's resolution." },
  tokens: { enum: ['none', 'all', 'drop-first'], description: 'none: a feature map [B, C, h, w]; all / drop-first: tokens [B, N, C] forming a square patch grid (drop-first drops a class token).' },
} as const;
