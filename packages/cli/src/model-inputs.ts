import { resolve } from 'node:path';
import { DifferentiableOnnxModel, readNpy, type NamedTensors } from '@envision/core';
import { splitAssignment } from './args.js';

/**
 * Loads `--model` (with gradients available) and its `--input NAME=FILE.npy` feeds, checking every name, element type
 * and shape against the model.
 */
export async function loadModelAndInputs(
  command: string,
  modelPath: string,
  inputArgs: readonly string[],
  threads: string | undefined,
): Promise<{ model: DifferentiableOnnxModel; inputs: NamedTensors }> {
  const options = threads === undefined ? {} : { intraOpNumThreads: Number(threads) };
  const model = await DifferentiableOnnxModel.load(resolve(modelPath), options);
  const inputs: NamedTensors = {};
  for (const spec of inputArgs) {
    const [name, file] = splitAssignment(command, 'input', spec);
    model.forward.input(name);
    inputs[name] = await readNpy(file);
  }
  model.forward.checkFeeds(inputs);
  return { model, inputs };
}
