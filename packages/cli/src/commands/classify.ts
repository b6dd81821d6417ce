import { existsSync } from 'node:fs';
import { EnvisionError, ZeroShotClassifier, type Classification } from '@envision/core';
import {
  PROMPT_SET_NAMES,
  PromptClassifier,
  builtinPromptSets,
  readPromptFile,
  samplePrompts,
  type Ensemble,
  type PromptSet,
} from '@envision/adapter-medclip';
import { parseCommand, providerOptions, required, threadOptions } from '../args.js';
import { loadFolderAdapter, modelFolder } from '../model-folder.js';
import type { CommandIO } from '../io.js';

/** Help text of `envision classify`. */
export const classifyHelp = `Usage: envision classify --model DIR [--adapter medclip|clip] --image FILE [--prompts SET|FILE.yaml]
    [--ensemble max|mean] [--n N [--seed S]] [--json] [--logit-scale X] [--logit-bias B]
       envision classify --bundle DIR --image FILE …

Zero-shot classification: each class's prompts are embedded as one padded batch, the prompt logits are
cos(prompt, image) · exp(logitScale) + logitBias, and a class's logit is the max (default, MedCLIP's ensemble=False)
or the mean (ensemble=True) of its prompt logits.
  medclip: MedCLIP's PromptClassifier (logitScale clamped to [0, 4.6052], no bias). MedCLIP stops at the logits;
           the softmax over the classes is printed beside them, named as such.
  clip:    the folder's logit scale (and SigLIP's bias) from its model.safetensors, or --logit-scale/--logit-bias;
           probabilities are the softmax over the classes (CLIP) or each class's sigmoid (SigLIP), named as such.
  --model DIR     a model folder; the folder decides the adapter (see envision preprocess --help), --adapter overrides
  --bundle DIR    a MedCLIP bundle (the same as --model DIR --adapter medclip)
  --prompts SET   chexpert5 (default: MedCLIP's CheXpert-5 templates, 489 prompts), covid, rsna, labels (the
                  bare class names), or a YAML file: { classes: { Name: [prompt, …] } } (a set name wins
                  over a file of that name: write ./NAME for the file)
  --n N           sample N prompts per class (default: all), without replacement
  --seed S        seed of that sample (default 0); MedCLIP's own sampling is unseeded
  --ensemble      max (default) or mean
  --json          print one JSON object: { "image", "prompts", "ensemble",
                  "classes": [{ "name", "logit", "probability" }], "predicted" }
  --logit-scale X, --logit-bias B   for a clip folder whose weights lack them (most ONNX exports carry no weights)
  --threads N     onnxruntime intra-op threads
  --ep LIST       onnxruntime execution providers in order, e.g. cuda,cpu (default cpu; cpu listed = fall back to it)`;

/** `{ [key]: number }` for a finite `--flag` value, `{}` when the flag is absent. */
function finite(flag: string, text: string | undefined, key: string): Record<string, number> {
  if (text === undefined) return {};
  const x = Number(text);
  if (text.trim() === '' || !Number.isFinite(x)) throw new EnvisionError('E_USAGE', `--${flag} must be a finite number, got '${text}'`);
  return { [key]: x };
}

function integer(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new EnvisionError('E_USAGE', `--${flag} must be an integer ≥ ${min}, got '${text}'`);
  return n;
}

/**
 * The prompt set `--prompts` names: a built-in set, or a YAML prompt file.
 * @throws EnvisionError `E_USAGE` for a name that is neither, `E_CONFIG`/`E_FILE` for a bad file
 */
export async function resolvePrompts(value: string): Promise<PromptSet> {
  const builtin = builtinPromptSets[value];
  if (builtin !== undefined) return builtin;
  if (existsSync(value) || /\.ya?ml$/i.test(value)) return readPromptFile(value);
  throw new EnvisionError('E_USAGE', `--prompts must be ${PROMPT_SET_NAMES.join(', ')} or a YAML file, got '${value}' (no such file)`);
}

/** `envision classify`: the exact contract other tools depend on. */
export async function classifyCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values } = parseCommand('classify', argv, {
    bundle: { type: 'string' },
    model: { type: 'string' },
    adapter: { type: 'string' },
    'logit-scale': { type: 'string' },
    'logit-bias': { type: 'string' },
    image: { type: 'string' },
    prompts: { type: 'string' },
    ensemble: { type: 'string' },
    n: { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'boolean' },
    threads: { type: 'string' },
    ep: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(classifyHelp + '\n');
    return 0;
  }
  const cmd = 'classify';
  const image = required(cmd, 'image', values.image);
  const ensemble = (values.ensemble ?? 'max') as Ensemble;
  if (ensemble !== 'max' && ensemble !== 'mean') throw new EnvisionError('E_USAGE', `--ensemble must be max or mean, got '${values.ensemble}'`);
  if (values.seed !== undefined && values.n === undefined) throw new EnvisionError('E_USAGE', '--seed needs --n N (the number of prompts sampled per class)');
  const n = values.n === undefined ? undefined : integer('n', values.n, 1);
  const seed = values.seed === undefined ? 0 : integer('seed', values.seed, 0);
  const threads = { ...threadOptions(values.threads), ...(await providerOptions('classify', values.ep, io)) };
  const logits = { ...finite('logit-scale', values['logit-scale'], 'logitScale'), ...finite('logit-bias', values['logit-bias'], 'logitBias') };
  const folder = await modelFolder(cmd, values);
  if (folder.adapter === 'medclip' && Object.keys(logits).length > 0) throw new EnvisionError('E_USAGE', '--logit-scale and --logit-bias are for clip folders (a MedCLIP bundle carries its own)');
  const promptsName = values.prompts ?? 'chexpert5';
  const all = await resolvePrompts(promptsName);
  const prompts = n === undefined ? all : samplePrompts(all, n, seed);

  const adapter = await loadFolderAdapter(folder, threads, logits);
  let result: Classification | undefined;
  try {
    const pixels = await adapter.preprocessImage(image);
    const classifier = folder.adapter === 'medclip' ? new PromptClassifier(adapter, { ensemble }) : new ZeroShotClassifier(adapter, { ensemble });
    [result] = await classifier.classify(pixels, prompts);
  } finally {
    await adapter.dispose?.();
  }
  const r = result!;
  if (values.json) {
    const classes = r.classes.map((c) => ({ name: c.name, logit: c.logit, probability: c.probability }));
    io.stdout(JSON.stringify({ image, prompts: promptsName, ensemble, classes, predicted: r.predicted }) + '\n');
    return 0;
  }
  const count = Object.values(prompts).reduce((s, p) => s + p.length, 0);
  const sampled = n === undefined ? '' : `, ${n} per class sampled with seed ${seed}`;
  const width = Math.max(5, ...r.classes.map((c) => c.name.length));
  const lines = [
    `image     ${image}`,
    `prompts   ${promptsName} (${count} prompts${sampled}), ensemble ${ensemble}, temperature ${r.temperature.toFixed(4)}${r.bias === 0 ? "" : `, bias ${r.bias.toFixed(4)}`}`,
    '',
    `${'class'.padEnd(width)}  ${'logit'.padStart(9)}  ${r.scoring.padStart(7)}`,
    ...r.classes.map((c) => `${c.name.padEnd(width)}  ${c.logit.toFixed(4).padStart(9)}  ${c.probability.toFixed(4).padStart(7)}`),
    '',
    `predicted ${r.predicted}`,
  ];
  io.stdout(lines.join('\n') + '\n');
  return 0;
}
