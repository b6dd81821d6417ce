import { resolve } from 'node:path';
import { DifferentiableOnnxModel, EnvisionError, readNpy, type NamedTensors, type Tensor } from '@envision/core';
import { providerOptions, splitAssignment, threadOptions } from './args.js';
import type { CommandIO } from './io.js';

/**
 * Loads `--model` (with gradients available, on the `--ep` execution providers) and its `--input NAME=FILE.npy` feeds,
 * checking every name, element type and shape against the model.
 */
export async function loadModelAndInputs(
  command: string,
  modelPath: string,
  inputArgs: readonly string[],
  threads: string | undefined,
  ep: string | undefined,
  io: CommandIO,
): Promise<{ model: DifferentiableOnnxModel; inputs: NamedTensors }> {
  const options = { ...threadOptions(threads), ...(await providerOptions(command, ep, io)) };
  const model = await DifferentiableOnnxModel.load(resolve(modelPath), options);
  const inputs: NamedTensors = Object.create(null) as NamedTensors;
  for (const spec of inputArgs) {
    const [name, file] = splitAssignment(command, 'input', spec);
    if (inputs[name] !== undefined) throw new EnvisionError('E_USAGE', `--input ${name} is given twice; give each model input once`);
    model.forward.input(name);
    inputs[name] = finiteNpy(await readNpy(file), file);
  }
  model.forward.checkFeeds(inputs);
  return { model, inputs };
}

/**
 * The model and feeds that explain `wrt`: the model itself when `wrt` is one of its inputs, else the model cut at the
 * intermediate tensor `wrt` (a layer), fed with that tensor's activation computed from `inputs`.
 * @throws EnvisionError `E_INPUT` naming close names when the model has no input or value `wrt`
 */
export async function explainedInput(model: DifferentiableOnnxModel, inputs: NamedTensors, wrt: string): Promise<{ model: DifferentiableOnnxModel; inputs: NamedTensors }> {
  if (model.inputs.some((i) => i.name === wrt)) return { model, inputs };
  const layer = await model.layer(inputs, wrt);
  const feeds: NamedTensors = { [wrt]: layer.activation };
  for (const i of layer.model.inputs) if (inputs[i.name] !== undefined) feeds[i.name] = inputs[i.name]!;
  return { model: layer.model, inputs: feeds };
}

/**
 * A tensor read from `file`, checked finite (NaN or ±Infinity in a model input, a cotangent or target weights would
 * only come back as NaN maps).
 * @throws EnvisionError `E_INPUT` naming the file and the first bad element
 */
export function finiteNpy<T extends Tensor>(t: T, file: string): T {
  if (t.dtype === 'int64') return t;
  const data = t.data as Float32Array | Float64Array;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) throw new EnvisionError('E_INPUT', `${file}: element ${i} is ${data[i]}; inputs must be finite numbers`);
  return t;
}
