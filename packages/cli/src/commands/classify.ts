import { existsSync } from 'node:fs';
import { EnvisionError } from '@envision/core';
import {
  PROMPT_SET_NAMES,
  PromptClassifier,
  builtinPromptSets,
  readPromptFile,
  samplePrompts,
  type Ensemble,
  type PromptSet,
} from '@envision/adapter-medclip';
import { parseCommand, required } from '../args.js';
import { loadAdapter, threadOptions } from './embed.js';
import type { CommandIO } from '../io.js';

/** Help text of `envision classify`. */
export const classifyHelp = `Usage: envision classify --bundle DIR --image FILE [--prompts SET|FILE.yaml] [--ensemble max|mean]
    [--n N [--seed S]] [--json]

Zero-shot classification as MedCLIP's PromptClassifier: each class's prompts are embedded as one padded batch,
the prompt logits are cos(prompt, image) · exp(logitScale) (logitScale clamped to [0, 4.6052]), and a class's
logit is the max (default, MedCLIP's ensemble=False) or the mean (ensemble=True) of its prompt logits. MedCLIP
stops at the logits; the softmax over the classes is printed beside them, named as such.
  --prompts SET   chexpert5 (default: MedCLIP's CheXpert-5 templates, 489 prompts), covid, rsna, labels (the
                  bare class names), or a YAML file: { classes: { Name: [prompt, …] } } (a set name wins
                  over a file of that name: write ./NAME for the file)
  --n N           sample N prompts per class (default: all), without replacement
  --seed S        seed of that sample (default 0); MedCLIP's own sampling is unseeded
  --ensemble      max (default) or mean
  --json          print one JSON object: { "image", "prompts", "ensemble",
                  "classes": [{ "name", "logit", "probability" }], "predicted" } (probability = softmax)
  --threads N     onnxruntime intra-op threads`;

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
    image: { type: 'string' },
    prompts: { type: 'string' },
    ensemble: { type: 'string' },
    n: { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'boolean' },
    threads: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(classifyHelp + '\n');
    return 0;
  }
  const cmd = 'classify';
  const bundle = required(cmd, 'bundle', values.bundle);
  const image = required(cmd, 'image', values.image);
  const ensemble = (values.ensemble ?? 'max') as Ensemble;
  if (ensemble !== 'max' && ensemble !== 'mean') throw new EnvisionError('E_USAGE', `--ensemble must be max or mean, got '${values.ensemble}'`);
  if (values.seed !== undefined && values.n === undefined) throw new EnvisionError('E_USAGE', '--seed needs --n N (the number of prompts sampled per class)');
  const n = values.n === undefined ? undefined : integer('n', values.n, 1);
  const seed = values.seed === undefined ? 0 : integer('seed', values.seed, 0);
  threadOptions(values.threads);
  const promptsName = values.prompts ?? 'chexpert5';
  const all = await resolvePrompts(promptsName);
  const prompts = n === undefined ? all : samplePrompts(all, n, seed);

  const adapter = await loadAdapter(bundle, values.threads);
  let result;
  try {
    const pixels = await adapter.preprocessImage(image);
    [result] = await new PromptClassifier(adapter, { ensemble }).classify(pixels, prompts);
  } finally {
    await adapter.dispose();
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
    `prompts   ${promptsName} (${count} prompts${sampled}), ensemble ${ensemble}, temperature ${r.temperature.toFixed(4)}`,
    '',
    `${'class'.padEnd(width)}  ${'logit'.padStart(9)}  ${'softmax'.padStart(7)}`,
    ...r.classes.map((c) => `${c.name.padEnd(width)}  ${c.logit.toFixed(4).padStart(9)}  ${c.probability.toFixed(4).padStart(7)}`),
    '',
    `predicted ${r.predicted}`,
  ];
  io.stdout(lines.join('\n') + '\n');
  return 0;
}
