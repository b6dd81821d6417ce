import {
  EnvisionError,
  attribute,
  oneHotWeights,
  readNpy,
  writeNpy,
  formatShape,
  type Strategy,
  type Tensor,
} from '@envision/core';
import { parseCommand, parseOptionValue, required, splitAssignment } from '../args.js';
import { registryWith } from '../builtin-plugins.js';
import { ensureWritableFile } from '../output.js';
import { explainedInput, finiteNpy, loadModelAndInputs } from '../model-inputs.js';
import type { CommandIO } from '../io.js';

/** Help text of `envision attribute`. */
export const attributeHelp = `Usage: envision attribute --model FILE.onnx --input NAME=FILE.npy [--input NAME=FILE.npy …]
    --of OUTPUT_NAME --wrt INPUT_NAME --method ID [--option KEY=VALUE …]
    (--target INDEX | --target-weights FILE.npy) [--strategy direct|jacobian|auto] --out FILE.npy

Attributes output OUTPUT_NAME of an ONNX model to its input INPUT_NAME (batch 1, shape [1, …S]), or to an
intermediate tensor of that name (a layer's activation, batch axis first: the model is cut there and the method
explains the activation, e.g. saliency gives the layer gradient).
  --target i             one-hot weighting of output element i (flat index after the batch axis)
  --target-weights FILE  float32 [K, …O] weights, O the output shape after the batch axis
  --option KEY=VALUE     method option; VALUE is parsed as JSON when it parses: --option window=[3,8,8]
  --strategy             direct: explain each weighted sum w·f; jacobian: explain every output element, then
                         combine with the weights (the paper's literal procedure); auto (default) picks
  --plugin NAME          load an extra plugin package (resolved from the current folder); repeatable
  --threads N            onnxruntime intra-op threads
  --ep LIST              onnxruntime execution providers in order, e.g. cuda,cpu (default cpu; cpu listed = fall back to it)
  --json                 print one JSON line: output, shape, strategy, time and the method's report
                         (e.g. ig's convergenceDelta per target row)
Methods: occlusion, saliency, guided-backprop, deconvnet, ig, gradshap, grad-cam, layer-ig, feature-ablation,
shapley-sampling, kernel-shap, lime (--option mask={...}; and any --plugin's).
Writes float32 [K, …S] to --out.`;

/** `envision attribute`: the exact contract other tools depend on. */
export async function attributeCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values } = parseCommand('attribute', argv, {
    model: { type: 'string' },
    input: { type: 'string', multiple: true },
    of: { type: 'string' },
    wrt: { type: 'string' },
    method: { type: 'string' },
    option: { type: 'string', multiple: true },
    target: { type: 'string' },
    'target-weights': { type: 'string' },
    strategy: { type: 'string' },
    out: { type: 'string' },
    plugin: { type: 'string', multiple: true },
    threads: { type: 'string' },
    ep: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(attributeHelp + '\n');
    return 0;
  }
  const cmd = 'attribute';
  const modelPath = required(cmd, 'model', values.model);
  const inputArgs = required(cmd, 'input', values.input);
  const of = required(cmd, 'of', values.of);
  const wrt = required(cmd, 'wrt', values.wrt);
  const methodId = required(cmd, 'method', values.method);
  const out = required(cmd, 'out', values.out);
  if ((values.target === undefined) === (values['target-weights'] === undefined)) {
    throw new EnvisionError('E_USAGE', 'give exactly one of --target INDEX or --target-weights FILE.npy');
  }
  const strategy = (values.strategy ?? 'auto') as Strategy;
  if (!['auto', 'direct', 'jacobian'].includes(strategy)) {
    throw new EnvisionError('E_USAGE', `--strategy must be direct, jacobian or auto, got '${strategy}'`);
  }
  // Keyed by the user's strings: no prototype, so `--option __proto__=…` is an option name like any other (and refused).
  const options: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const o of values.option ?? []) {
    const [key, value] = splitAssignment(cmd, 'option', o);
    options[key] = parseOptionValue(value);
  }
  let targetIndex: number | undefined;
  if (values.target !== undefined) {
    targetIndex = Number(values.target);
    if (!/^\d+$/.test(values.target) || !Number.isSafeInteger(targetIndex)) {
      throw new EnvisionError('E_USAGE', `--target must be a non-negative integer, got '${values.target}'`);
    }
  }
  await ensureWritableFile(out);

  const registry = await registryWith(values.plugin ?? [], process.cwd());
  const method = registry.get('method', methodId).plugin;
  const loaded = await loadModelAndInputs(cmd, modelPath, inputArgs, values.threads, values.ep, io);
  loaded.model.forward.output(of);
  const { model, inputs } = await explainedInput(loaded.model, loaded.inputs, wrt);
  let weights: Tensor<'float32'> | ((shape: readonly number[]) => Tensor<'float32'>);
  if (targetIndex !== undefined) {
    const index = targetIndex;
    weights = (shape) => oneHotWeights(shape, index);
  } else {
    const file = values['target-weights']!;
    const w = finiteNpy(await readNpy(file), file);
    if (w.dtype !== 'float32') throw new EnvisionError('E_INPUT', `${file}: target weights must be float32, got ${w.dtype}`);
    weights = w as Tensor<'float32'>;
  }
  const result = await attribute({ method, options, model, inputs, wrt, of, weights, strategy });
  await writeNpy(out, result.maps);
  if (values.json) {
    io.stdout(JSON.stringify({ out, shape: result.maps.shape, method: method.meta.id, strategy: result.strategy, ms: Math.round(result.milliseconds), report: result.report ?? {} }) + '\n');
  }
  io.stderr(`envision attribute: wrote ${out} ${formatShape(result.maps.shape)} (${method.meta.id}, ${result.strategy}, ${result.milliseconds.toFixed(0)} ms)\n`);
  return 0;
}
