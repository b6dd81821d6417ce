import { EnvisionError, formatShape, readNpy, sameShape, tensor, writeNpy, type Tensor } from '@envision/core';
import { parseCommand, required } from '../args.js';
import { ensureWritableFile } from '../output.js';
import { explainedInput, finiteNpy, loadModelAndInputs } from '../model-inputs.js';
import type { CommandIO } from '../io.js';

/** Help text of `envision grad`. */
export const gradHelp = `Usage: envision grad --model FILE.onnx --input NAME=FILE.npy [--input NAME=FILE.npy …]
    --of OUTPUT_NAME --wrt INPUT_NAME --cotangent FILE.npy --out FILE.npy

Vector–Jacobian products of an ONNX model: row k of --out is the gradient of cotangent[k] · OUTPUT_NAME with respect
to INPUT_NAME (batch 1, shape [1, …S]) — or to an intermediate tensor of that name (a layer's activation, batch axis
first), computed from the inputs. The cotangent is float32 [K, …O], O the output shape after the batch axis; --out is
float32 [K, …S]. A name the model does not have is one line with close names. Models exported with a fixed batch of 1
work too (one cotangent row per call). The gradient model is built once and cached (ENVISION_CACHE_DIR, default ~/.cache/envision).
  --threads N   onnxruntime intra-op threads
  --ep LIST     onnxruntime execution providers in order, e.g. cuda,cpu (default cpu; cpu listed = fall back to it)`;

/** `envision grad`: the exact contract other tools depend on. */
export async function gradCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values } = parseCommand('grad', argv, {
    model: { type: 'string' },
    input: { type: 'string', multiple: true },
    of: { type: 'string' },
    wrt: { type: 'string' },
    cotangent: { type: 'string' },
    out: { type: 'string' },
    threads: { type: 'string' },
    ep: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(gradHelp + '\n');
    return 0;
  }
  const cmd = 'grad';
  const modelPath = required(cmd, 'model', values.model);
  const inputArgs = required(cmd, 'input', values.input);
  const of = required(cmd, 'of', values.of);
  const wrt = required(cmd, 'wrt', values.wrt);
  const cotangentFile = required(cmd, 'cotangent', values.cotangent);
  const out = required(cmd, 'out', values.out);
  await ensureWritableFile(out);
  const loaded = await loadModelAndInputs(cmd, modelPath, inputArgs, values.threads, values.ep, io);
  loaded.model.forward.output(of);
  if (loaded.model.inputs.some((i) => i.name === wrt) && loaded.inputs[wrt] === undefined) {
    throw new EnvisionError('E_USAGE', `--wrt ${wrt} is not among the --input names (${Object.keys(loaded.inputs).join(', ')})`);
  }
  const { model, inputs } = await explainedInput(loaded.model, loaded.inputs, wrt);
  const x = inputs[wrt]!;
  if (x.shape[0] !== 1) throw new EnvisionError('E_INPUT', `input '${wrt}' must have batch 1, shape [1, …], got ${formatShape(x.shape)}`);
  if (x.dtype !== 'float32') throw new EnvisionError('E_INPUT', `input '${wrt}' must be float32 to be differentiated, got ${x.dtype}`);
  const cot = finiteNpy(await readNpy(cotangentFile), cotangentFile);
  if (cot.dtype !== 'float32') throw new EnvisionError('E_INPUT', `${cotangentFile}: the cotangent must be float32, got ${cot.dtype}`);
  const output = (await model.run(inputs, [of]))[of]!;
  if (!sameShape(cot.shape.slice(1), output.shape.slice(1))) {
    throw new EnvisionError('E_INPUT', `${cotangentFile}: the cotangent has shape ${formatShape(cot.shape)} but output '${of}' is ${formatShape(output.shape)}: expected [K, ${output.shape.slice(1).join(', ')}]`);
  }
  const started = performance.now();
  const { gradient } = await model.vjp(inputs, of, wrt, cot as Tensor<'float32'>);
  const result = tensor('float32', gradient.shape.slice(1), gradient.data);
  await writeNpy(out, result);
  const stats = model.lastStats!;
  io.stderr(`envision grad: wrote ${out} ${formatShape(result.shape)} (${stats.calls} call${stats.calls === 1 ? '' : 's'} of ${stats.rowsPerCall} rows, gradient model ${stats.source}, ${(performance.now() - started).toFixed(0)} ms)\n`);
  await loaded.model.dispose();
  return 0;
}
