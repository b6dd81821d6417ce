import { EnvisionError, formatShape, tensor, writeNpy, type Tensor } from '@envision/core';
import { parseCommand, providerOptions, required, threadOptions } from '../args.js';
import { loadFolderAdapter, modelFolder } from '../model-folder.js';
import { ensureWritableFile } from '../output.js';
import type { CommandIO } from '../io.js';

/** Help text of `envision embed`. */
export const embedHelp = `Usage: envision embed --model DIR [--adapter medclip|clip] (--image FILE [--image FILE …] | --prompt TEXT [--prompt TEXT …])
    --out FILE.npy
       envision embed --bundle DIR (--image FILE … | --prompt TEXT …) --out FILE.npy

Unnormalised embeddings, as the ONNX models return them, float32 [B, M] in --out (B images or prompts, M the model's
embedding size). Images are preprocessed as the model does (see envision preprocess) and embedded as one batch.
Prompts are embedded as ONE padded batch (see envision tokenize): MedCLIP's text pooling averages pad tokens in, so
there a prompt's embedding depends on the longest prompt it is batched with.
  --model DIR   a model folder; the folder decides the adapter (see envision preprocess --help), --adapter overrides
  --bundle DIR  a MedCLIP bundle (the same as --model DIR --adapter medclip)
  --threads N   onnxruntime intra-op threads
  --ep LIST     onnxruntime execution providers in order, e.g. cuda,cpu (default cpu; cpu listed = fall back to it)`;

/** Stacks `[1, …]` tensors into one `[B, …]` batch. */
export function batchOf(items: readonly Tensor<'float32'>[]): Tensor<'float32'> {
  const n = items[0]!.data.length;
  const data = new Float32Array(items.length * n);
  items.forEach((t, i) => data.set(t.data, i * n));
  return tensor('float32', [items.length, ...items[0]!.shape.slice(1)], data);
}

/** `envision embed`: the exact contract other tools depend on. */
export async function embedCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values } = parseCommand('embed', argv, {
    bundle: { type: 'string' },
    model: { type: 'string' },
    adapter: { type: 'string' },
    image: { type: 'string', multiple: true },
    prompt: { type: 'string', multiple: true },
    out: { type: 'string' },
    threads: { type: 'string' },
    ep: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(embedHelp + '\n');
    return 0;
  }
  const cmd = 'embed';
  const out = required(cmd, 'out', values.out);
  const images = values.image ?? [];
  const prompts = values.prompt ?? [];
  if ((images.length > 0) === (prompts.length > 0)) {
    throw new EnvisionError('E_USAGE', 'give either --image FILE or --prompt TEXT (repeatable), not both (see envision embed --help)');
  }
  const threads = { ...threadOptions(values.threads), ...(await providerOptions('embed', values.ep, io)) };
  const folder = await modelFolder(cmd, values);
  await ensureWritableFile(out);
  // Embedding reads no logit: a neutral scale and bias let a folder without weights (most ONNX exports) embed too.
  const adapter = await loadFolderAdapter(folder, threads, { logitScale: 0, logitBias: 0 });
  try {
    let embeds: Tensor<'float32'>;
    let what: string;
    if (images.length > 0) {
      const pixels = [];
      for (const image of images) pixels.push(await adapter.preprocessImage(image));
      embeds = await adapter.encodeImage(batchOf(pixels));
      what = `${images.length} image${images.length === 1 ? '' : 's'}`;
    } else {
      embeds = await adapter.encodeText(prompts);
      what = `${prompts.length} prompt${prompts.length === 1 ? '' : 's'} as one padded batch`;
    }
    await writeNpy(out, embeds);
    io.stderr(`envision embed: wrote ${out} ${formatShape(embeds.shape)} float32, unnormalised (${what})\n`);
  } finally {
    await adapter.dispose?.();
  }
  return 0;
}
