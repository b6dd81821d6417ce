import { importMedClip, type MedClipVariant } from '@envision/adapter-medclip';
import { EnvisionError } from '@envision/core';
import { parseCommand, required } from '../args.js';
import type { CommandIO } from '../io.js';

/** Help text of `envision import`. */
export const importHelp = `Usage: envision import medclip CHECKPOINT --vocab VOCAB.txt --out DIR [--variant vit|resnet] [--text-heads N] [--lowercase]

Imports a MedCLIP checkpoint into an Envision bundle, without Python. CHECKPOINT is MedCLIP's pytorch_model.bin
(a torch ≥ 1.6 zip) or the downloaded zip holding it (medclip-vit-pretrained.zip, medclip-pretrained.zip). Its
pickle is read by a restricted unpickler that executes nothing and accepts only OrderedDict and torch tensors.
The text (BERT with MedCLIP's pooling) and vision (Swin for vit, ResNet for resnet) encoders are built as ONNX
from the weights, every size read from them. DIR must not exist; it is written complete or not at all:
envision.json, vision.onnx, text.onnx and a copy of VOCAB.txt (Bio_ClinicalBERT's vocab.txt).
  --variant vit|resnet   the vision variant (default: detected from the checkpoint's keys)
  --text-heads N         BERT attention heads (default: hidden size / 64)
  --lowercase            the bundle's tokenizer lowercases and strips accents, as BERT uncased (default: cased)`;

/**
 * `envision import medclip CHECKPOINT --vocab FILE --out DIR [--variant vit|resnet] [--text-heads N] [--lowercase]`:
 * a MedCLIP checkpoint to a bundle, without Python (see `importMedClip`).
 * @param argv - the arguments after `import`
 * @param io - where to write (the summary line goes to stderr)
 * @returns the exit code (0)
 * @throws EnvisionError `E_USAGE` for bad arguments, and what `importMedClip` throws
 */
export async function importCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommand(
    'import',
    argv,
    {
      vocab: { type: 'string' },
      out: { type: 'string' },
      variant: { type: 'string' },
      'text-heads': { type: 'string' },
      lowercase: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) {
    io.stdout(importHelp + '\n');
    return 0;
  }
  const cmd = 'import';
  const [kind, checkpoint, ...rest] = positionals;
  if (kind !== 'medclip') {
    throw new EnvisionError('E_USAGE', `${kind === undefined ? 'missing the model kind' : `unknown model kind '${kind}'`}: use envision import medclip CHECKPOINT … (see envision import --help)`);
  }
  if (checkpoint === undefined) throw new EnvisionError('E_USAGE', 'missing CHECKPOINT: envision import medclip CHECKPOINT --vocab VOCAB.txt --out DIR');
  if (rest.length > 0) throw new EnvisionError('E_USAGE', `unexpected argument '${rest[0]}' (see envision import --help)`);
  const vocab = required(cmd, 'vocab', values.vocab);
  const out = required(cmd, 'out', values.out);
  const variant = values.variant;
  if (variant !== undefined && variant !== 'vit' && variant !== 'resnet') throw new EnvisionError('E_USAGE', `--variant must be vit or resnet, got '${variant}'`);
  let textHeads: number | undefined;
  if (values['text-heads'] !== undefined) {
    textHeads = Number(values['text-heads']);
    if (!/^\d+$/.test(values['text-heads']) || textHeads < 1) throw new EnvisionError('E_USAGE', `--text-heads must be a positive integer, got '${values['text-heads']}'`);
  }
  const started = performance.now();
  const result = await importMedClip({
    checkpoint,
    vocab,
    out,
    ...(variant === undefined ? {} : { variant: variant as MedClipVariant }),
    ...(textHeads === undefined ? {} : { textHeads }),
    ...(values.lowercase === true ? { lowercase: true } : {}),
  });
  const mb = (n: number) => (n / 1e6).toFixed(1);
  io.stderr(
    `envision import: wrote ${out} (MedCLIP ${result.manifest.variant}, ${result.tensors} tensors, embeddingDim ${result.manifest.embeddingDim}, ` +
      `logitScale ${result.manifest.logitScale}; vision.onnx ${mb(result.bytes.vision)} MB, text.onnx ${mb(result.bytes.text)} MB, ${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
  );
  return 0;
}
