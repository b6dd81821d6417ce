import { importMedClip, type MedClipVariant } from '@envision/adapter-medclip';
import { importClip, type ClipVariant } from '@envision/adapter-clip';
import { EnvisionError } from '@envision/core';
import { parseCommand, required } from '../args.js';
import type { CommandIO } from '../io.js';

/** Help text of `envision import`. */
export const importHelp = `Usage: envision import medclip CHECKPOINT --vocab VOCAB.txt --out DIR [--variant vit|resnet] [--text-heads N] [--lowercase]
       envision import clip SOURCE --out DIR [--variant clip|siglip|open_clip]

clip: imports a HuggingFace CLIP or SigLIP checkpoint, or an open_clip one shaped like BiomedCLIP, without Python.
SOURCE is its folder: config.json (or open_clip_config.json), the weights (model.safetensors or
open_clip_model.safetensors, read tensor by tensor and validated, else pytorch_model.bin or
open_clip_pytorch_model.bin), preprocessor_config.json (HF) and the tokenizer files. Both encoders are built as ONNX
from the weights (ViT with class token and pre-LN blocks, the causal text transformer read at the first EOS, both
projections; SigLIP's attention-pooling head, last-token text pooling; open_clip's timm ViT with a linear head and
BERT with CLS pooling and an MLP projection), every size from the weights and the config. DIR (must not exist) is
written whole or not at all, in the layout the clip adapter reads: the config and tokenizer files copied,
onnx/vision_model.onnx, onnx/text_model.onnx, and model.safetensors (open_clip_model.safetensors) holding
logit_scale (and logit_bias).
  --variant clip|siglip|open_clip  the layout (default: config.json's model_type, or open_clip for a folder with
                         open_clip_config.json; a contradiction is an error)

medclip:
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
  if (kind !== 'medclip' && kind !== 'clip') {
    throw new EnvisionError('E_USAGE', `${kind === undefined ? 'missing the model kind' : `unknown model kind '${kind}'`}: use envision import medclip CHECKPOINT … or envision import clip SOURCE … (see envision import --help)`);
  }
  if (checkpoint === undefined) throw new EnvisionError('E_USAGE', kind === 'clip' ? 'missing SOURCE: envision import clip SOURCE --out DIR' : 'missing CHECKPOINT: envision import medclip CHECKPOINT --vocab VOCAB.txt --out DIR');
  if (rest.length > 0) throw new EnvisionError('E_USAGE', `unexpected argument '${rest[0]}' (see envision import --help)`);
  if (kind === 'clip') return importClipCommand(checkpoint, values, io);
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

/** `envision import clip SOURCE --out DIR [--variant clip|siglip|open_clip]` (see {@link importClip}). */
async function importClipCommand(source: string, values: { out?: string; variant?: string; vocab?: string; 'text-heads'?: string; lowercase?: boolean }, io: CommandIO): Promise<number> {
  const out = required('import', 'out', values.out);
  for (const flag of ['vocab', 'text-heads', 'lowercase'] as const) {
    if (values[flag] !== undefined) throw new EnvisionError('E_USAGE', `--${flag} is for envision import medclip (a clip folder brings its tokenizer)`);
  }
  const variant = values.variant;
  if (variant !== undefined && variant !== 'clip' && variant !== 'siglip' && variant !== 'open_clip') throw new EnvisionError('E_USAGE', `--variant must be clip, siglip or open_clip, got '${variant}'`);
  const started = performance.now();
  const r = await importClip({ source, out, ...(variant === undefined ? {} : { variant: variant as ClipVariant }) });
  const mb = (n: number) => (n / 1e6).toFixed(1);
  io.stderr(
    `envision import: wrote ${out} (${r.variant}, ${r.tensors} tensors, embeddingDim ${r.embeddingDim}, logitScale ${r.logitScale}${r.logitBias === undefined ? '' : `, logitBias ${r.logitBias}`}; ` +
      `vision_model.onnx ${mb(r.bytes.vision)} MB, text_model.onnx ${mb(r.bytes.text)} MB, ${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
  );
  return 0;
}
