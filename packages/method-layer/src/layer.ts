import { EnvisionError, type AttributionRequest, type DifferentiableModel, type NamedTensors, type Tensor, isDifferentiable } from '@envision/core';

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
