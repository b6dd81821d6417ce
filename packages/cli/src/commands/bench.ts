import { existsSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvisionError, ZeroShotClassifier, describeCause, type ExecutionProvider, type VlmAdapter } from '@envision/core';
import { MedClipAdapter, PromptClassifier, TextEmbeddingCache, bundlePreprocessOptions, preprocessGrey, readPromptFile, type PromptSet } from '@envision/adapter-medclip';
import { ClipAdapter, processRgb } from '@envision/adapter-clip';
import { parseCommand, parseOptionValue, providerOptions, splitAssignment, threadOptions } from '../args.js';
import { registryWith } from '../builtin-plugins.js';
import { type ModelFolder, modelFolder } from '../model-folder.js';
import { ensureWritableDir } from '../output.js';
import type { CommandIO } from '../io.js';
import {
  type BenchMethodSpec,
  type BenchModel,
  DEFAULT_CAUSAL_STEPS,
  PHANTOM_CLASSES,
  benchJsonText,
  formatBenchSummary,
  readTrainingInfo,
  runPhantomBench,
  writeBenchOutputs,
} from '@envision/phantom';

/** The methods `envision bench phantom` runs by default, in report order. */
export const BENCH_METHOD_IDS: readonly string[] = ['occlusion', 'ig', 'gradshap', 'guided-backprop'];

/** Further methods `--methods` may name, with defaults in {@link benchMethodDefaults}; not run unless named (they cost more). */
export const BENCH_OPTIONAL_METHOD_IDS: readonly string[] = ['input-x-gradient', 'noise-tunnel', 'feature-ablation', 'shapley-sampling', 'kernel-shap', 'lime', 'rise', 'grad-cam'];

/** Every method `--methods` accepts. */
const ALL_BENCH_METHOD_IDS: readonly string[] = [...BENCH_METHOD_IDS, ...BENCH_OPTIONAL_METHOD_IDS];

/** Default number of held-out phantoms benchmarked. */
export const DEFAULT_BENCH_N = 16;

/** The phantom bundle shipped in the repository, resolved from this package. */
export const DEFAULT_PHANTOM_BUNDLE = fileURLToPath(new URL('../../../../fixtures/phantom-medclip', import.meta.url));

/** Help text of `envision bench`. */
export const benchHelp = `Usage: envision bench phantom [--n N] [--json] [--seed S] [--out DIR]
    [--model DIR [--adapter medclip|clip] | --bundle DIR] [--methods ID,…] [--option METHOD.KEY=VALUE …] [--steps K]
    [--tolerance PIXELS] [--accuracy-n K] [--figures K] [--threads N] [--ep LIST]

Benchmarks the two approaches of "Envisioning MedCLIP" on held-out phantoms, whose findings are known pixel by pixel:
  baseline  each method explains the prompt classifier's class logit (τ · cosine, max over the class's prompts:
            MedCLIP's PromptClassifier, or the clip adapter's zero-shot classifier, + SigLIP's bias) — one map per
            class;
  proposed  each method explains the image embedding fused with τ · the normalised text embedding (the paper's
            dot fusion), one map per prompt, averaged over the class's prompts.
The phantoms are the model's held-out seeds (training.json, phantoms.heldout.seeds), regenerated in memory at the
model's input size; the first N that carry at least one finding are benchmarked. For each finding, the map of its
class is scored; numbers are averaged over findings (class-map similarity: over images):
  pointing       1 if the maximum of the signed map lies in the finding's mask (tolerance: 15 px at 224 px, scaled)
  energy-in-box  share of the positive map inside the finding's box
  outside-body   share of |map| outside the body mask
  class-sim      mean pairwise Spearman of the signed maps of all classes on the image (1 = class-agnostic)
  deletion       AUC of the class's softmax probability as pixels are set to black, in map order (lower is better)
  insertion      AUC as pixels are restored from black, in map order (higher is better)
zeroShotAccuracy: the model's prompt classifier (arg-max class logit) on the held-out images with at most one
finding (label: the finding's class or No Finding), over the whole held-out range unless --accuracy-n.
Below the table: proposed − baseline per method and metric, with a 95 % bootstrap interval that resamples phantoms.
Writes DIR/bench.json (the JSON below), DIR/findings.json (per finding), DIR/report.html and DIR/figures/.
Prints the table, or with --json exactly one JSON document on stdout (progress goes to stderr):
  {"zeroShotAccuracy": x, "n": N, "methods": {"<id>": {"baseline": {"pointingGame": x, "energyInBox": x,
   "massOutsideBody": x, "classMapSimilarity": x, "deletionAuc": x, "insertionAuc": x}, "proposed": {…}}}}
Details: docs/bench-phantom.md.
  --n N            phantoms with findings to benchmark (default ${DEFAULT_BENCH_N})
  --seed S         seed of the methods' random draws (GradientShap, noise-tunnel, Shapley sampling, KernelSHAP, LIME,
                   RISE; default 0); the phantoms are fixed
  --out DIR        output folder (default runs/bench-phantom)
  --model DIR      the model under test, any adapter's folder: a MedCLIP bundle (envision.json) or a clip folder
                   (config.json; see envision classify --help), e.g. fixtures/phantom-clip. Held-out seeds from
                   DIR/training.json, else the bundled phantom MedCLIP's (fixtures/phantom-medclip); prompts from
                   DIR/prompts.yaml, else the phantom classes' names, each as written and in lower case
  --adapter ID     medclip or clip, when the folder does not say
  --bundle DIR     phantom bundle: envision.json, prompts.yaml, training.json (default fixtures/phantom-medclip)
  --methods IDS    comma-separated subset of ${BENCH_METHOD_IDS.join(', ')} (default all of these),
                   ${BENCH_OPTIONAL_METHOD_IDS.join(', ')}
  --option M.K=V   override a method option, V parsed as JSON when it parses (e.g. --option ig.steps=8)
  --steps K        steps of each deletion/insertion curve (default ${DEFAULT_CAUSAL_STEPS})
  --tolerance PX   pointing-game tolerance in pixels (default 15 · size / 224)
  --accuracy-n K   zero-shot accuracy on the first K held-out seeds only (default: all of them)
  --figures K      figures of the first K phantoms in the report (default 3)
  --threads N      onnxruntime intra-op threads
  --ep LIST        onnxruntime execution providers in order, e.g. cuda,cpu (default cpu; cpu listed = fall back to it)
  --json           print the JSON instead of the table
Method defaults (size = the model's input size, black = grey level 0 after preprocessing, C = channels):
  occlusion        window [C, w, w], strides [C, w/2, w/2] with w = size/8, baseline black, 32 per evaluation
  ig               16 Gauss–Legendre steps from the black image
  gradshap         8 samples, baselines [black, 0] (0 = the normalisation mean), no noise, seed S
  guided-backprop  no options (on a model without ReLUs it equals the gradient)
  input-x-gradient no options
  noise-tunnel     SmoothGrad of the signed saliency (linear, so run direct): 8 samples,
                   stdevs 0.15 · (white − black), seed S
  feature-ablation grid of w × w cells, baseline black, 32 per evaluation
  shapley-sampling grid of 2w × 2w cells, 8 permutations, baseline black, seed S
  kernel-shap      grid of w × w cells, 160 coalitions, baseline black, seed S
  lime             grid of w × w cells, 160 coalitions, baseline black, seed S; Captum's default Lasso
                   (model lasso, α = 0.01), not linear in its target, so run jacobian: one Lasso per embedding
                   dimension on shared forwards, about as fast as the linear fit (--option lime.model=linear: the
                   weighted least squares, linear, run direct)

  rise             500 masks (the paper uses thousands), 8×8 cells, keep-probability 0.5, dropped pixels
                   blended toward black, 50 per evaluation, seed S
  grad-cam         needs --option grad-cam.layer=NAME (a tensor of the vision model, e.g. its last stage; envision
                   grad --wrt with a wrong name lists close ones) and, for a token layer, grad-cam.tokens=all or
                   drop-first; bilinear upsampling, no ReLU (Captum's default; linear, so run direct)`;

/** An integer flag value no smaller than `min`. */
function integer(flag: string, text: string, min: number): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new EnvisionError('E_USAGE', `--${flag} must be an integer ≥ ${min}, got '${text}'`);
  return n;
}

/** The `--methods` list: known ids, each once. */
function methodIds(text: string | undefined): string[] {
  if (text === undefined) return [...BENCH_METHOD_IDS];
  const ids = text.split(',').map((s) => s.trim());
  for (const [k, id] of ids.entries()) {
    if (!ALL_BENCH_METHOD_IDS.includes(id)) throw new EnvisionError('E_USAGE', `--methods: unknown method '${id}' (methods: ${ALL_BENCH_METHOD_IDS.join(', ')})`);
    if (ids.indexOf(id) !== k) throw new EnvisionError('E_USAGE', `--methods: '${id}' is listed twice`);
  }
  return ids;
}

/** `--option METHOD.KEY=VALUE` values, grouped by method. */
function optionOverrides(values: readonly string[], ids: readonly string[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const text of values) {
    const [path, value] = splitAssignment('bench', 'option', text);
    const dot = path.indexOf('.');
    const id = path.slice(0, dot);
    if (dot <= 0 || dot === path.length - 1 || !ids.includes(id)) {
      throw new EnvisionError('E_USAGE', `--option expects METHOD.KEY=VALUE with METHOD one of ${ids.join(', ')}, got '${text}'`);
    }
    (out[id] ??= {})[path.slice(dot + 1)] = parseOptionValue(value);
  }
  return out;
}

/**
 * The methods' default options for the benchmark: modest settings that finish in minutes on 2 cores, scaled to the
 * model's input size.
 *
 * @param size - the model's input size
 * @param channels - its channels
 * @param black - grey level 0 after preprocessing
 * @param seed - seed of random draws
 * @param white - grey level 255 after preprocessing (noise-tunnel's noise is 15 % of the range, as SmoothGrad suggests)
 * @returns options per method id
 */
export function benchMethodDefaults(size: number, channels: number, black: number, seed: number, white = black + 1): Record<string, Record<string, unknown>> {
  const w = Math.max(2, Math.round(size / 8));
  const s = Math.max(1, Math.round(w / 2));
  return {
    occlusion: { window: [channels, w, w], strides: [channels, s, s], baseline: black, perturbationsPerEval: 32 },
    ig: { steps: 16, integration: 'gausslegendre', baseline: black },
    gradshap: { samples: 8, baselines: [black, 0], stdevs: 0, seed },
    'guided-backprop': {},
    'input-x-gradient': {},
    'noise-tunnel': { method: 'saliency', methodOptions: { abs: false }, type: 'smoothgrad', samples: 8, stdevs: 0.15 * Math.abs(white - black), seed },
    'feature-ablation': { mask: { type: 'grid', size: [w, w] }, baseline: black, perturbationsPerEval: 32 },
    'shapley-sampling': { mask: { type: 'grid', size: [2 * w, 2 * w] }, samples: 8, baseline: black, perturbationsPerEval: 32, seed },
    'kernel-shap': { mask: { type: 'grid', size: [w, w] }, samples: 160, baseline: black, perturbationsPerEval: 32, seed },
    lime: { mask: { type: 'grid', size: [w, w] }, samples: 160, baseline: black, perturbationsPerEval: 32, seed, model: 'lasso', alpha: 0.01 },
    rise: { masks: 500, cells: 8, probability: 0.5, baseline: black, perturbationsPerEval: 50, seed },
    'grad-cam': { upsample: 'bilinear', relu: false },
  };
}

/**
 * The prompt set of the phantom classes when a model folder brings none: each class name (the seven findings and
 * `No Finding`) as written and in lower case — the prompts the phantom models were evaluated with.
 */
export function phantomClassPrompts(): PromptSet {
  const names = [...PHANTOM_CLASSES, 'No Finding'];
  return Object.fromEntries(names.map((c) => [c, [c, c.toLowerCase()]]));
}

/** What the benchmark drives, loaded from a model folder: the model, its vision channels, and how to release it. */
interface LoadedBenchModel {
  readonly model: BenchModel;
  readonly channels: number;
  dispose(): Promise<void>;
}

/**
 * Loads a model folder for the benchmark with its adapter's own preprocessing and prompt classifier: MedCLIP's grey
 * preprocessing and PromptClassifier, or the clip folder's image processor (the grey image as R = G = B) and the
 * zero-shot classifier (τ · cosine + bias, max over the class's prompts). The phantoms are generated at the side the
 * model's processor ends at (the crop, else the resize).
 */
async function loadBenchModel(folder: ModelFolder, threads: { intraOpNumThreads?: number; executionProviders?: readonly ExecutionProvider[] }, prompts: PromptSet): Promise<LoadedBenchModel> {
  if (folder.adapter === 'medclip') {
    const adapter = await MedClipAdapter.load(folder.dir, { ...threads, textCache: new TextEmbeddingCache(64) });
    const manifest = adapter.bundle.manifest;
    const preprocessing = bundlePreprocessOptions(manifest);
    const classifier = new PromptClassifier(adapter);
    return {
      model: {
        adapter,
        imageSize: manifest.image.size,
        preprocess: (grey, side) => preprocessGrey({ bitDepth: 8, width: side, height: side, data: grey }, preprocessing),
        classify: async (pixels) => (await classifier.classify(pixels, prompts)).map((r) => r.classes.map((c) => c.logit)),
      },
      channels: manifest.vision.channels,
      dispose: () => adapter.dispose(),
    };
  }
  const adapter = await ClipAdapter.load({ dir: folder.dir, ...threads });
  const spec = adapter.folder.processor;
  const size = spec.crop?.width ?? (spec.resize === undefined ? undefined : 'shortestEdge' in spec.resize ? spec.resize.shortestEdge : spec.resize.width);
  if (size === undefined) {
    await adapter.dispose();
    throw new EnvisionError('E_BUNDLE', `${spec.source}: the image processor neither resizes nor crops; the benchmark needs the model's input size`);
  }
  const classifier = new ZeroShotClassifier(adapter as VlmAdapter);
  return {
    model: {
      adapter,
      imageSize: size,
      preprocess(grey, side) {
        const rgb = new Uint8Array(3 * grey.length);
        for (let i = 0; i < grey.length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = grey[i]!;
        return processRgb({ width: side, height: side, data: rgb }, spec);
      },
      classify: async (pixels) => (await classifier.classify(pixels, prompts)).map((r) => r.classes.map((c) => c.logit)),
    },
    channels: 3,
    dispose: () => adapter.dispose(),
  };
}

/** Checks the bundle folder holds the files the benchmark reads; names the missing one. */
function checkBundle(dir: string): void {
  const what = '(--bundle must be a phantom bundle folder holding envision.json, prompts.yaml and training.json)';
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new EnvisionError('E_USAGE', `--bundle ${dir}: no such folder ${what}`);
  for (const file of ['envision.json', 'prompts.yaml', 'training.json']) {
    if (!existsSync(join(dir, file))) throw new EnvisionError('E_USAGE', `--bundle ${dir}: ${file} is missing ${what}`);
  }
}

/** A path for messages: relative to the working directory when inside it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
}

/** `envision bench phantom`: the phantom benchmark of the study's two approaches. */
export async function benchCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommand(
    'bench',
    argv,
    {
      n: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      bundle: { type: 'string' },
      model: { type: 'string' },
      adapter: { type: 'string' },
      methods: { type: 'string' },
      option: { type: 'string', multiple: true },
      steps: { type: 'string' },
      tolerance: { type: 'string' },
      'accuracy-n': { type: 'string' },
      figures: { type: 'string' },
      threads: { type: 'string' },
      ep: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) {
    io.stdout(benchHelp + '\n');
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'phantom') {
    const got = positionals.length === 0 ? 'nothing' : `'${positionals.join(' ')}'`;
    throw new EnvisionError('E_USAGE', `envision bench expects the benchmark name phantom, got ${got} (see envision bench --help)`);
  }
  const n = values.n === undefined ? DEFAULT_BENCH_N : integer('n', values.n, 1);
  const seed = values.seed === undefined ? 0 : integer('seed', values.seed, 0);
  const steps = values.steps === undefined ? DEFAULT_CAUSAL_STEPS : integer('steps', values.steps, 1);
  const accuracySeeds = values['accuracy-n'] === undefined ? undefined : integer('accuracy-n', values['accuracy-n'], 1);
  const figures = values.figures === undefined ? 3 : integer('figures', values.figures, 0);
  let tolerance: number | undefined;
  if (values.tolerance !== undefined) {
    tolerance = Number(values.tolerance);
    if (values.tolerance.trim() === '' || !(Number.isFinite(tolerance) && tolerance >= 0)) {
      throw new EnvisionError('E_USAGE', `--tolerance must be a number of pixels ≥ 0, got '${values.tolerance}'`);
    }
  }
  const threads = { ...threadOptions(values.threads), ...(await providerOptions('bench', values.ep, io)) };
  const ids = methodIds(values.methods);
  const overrides = optionOverrides(values.option ?? [], ids);
  if (ids.includes('grad-cam') && overrides['grad-cam']?.layer === undefined) {
    throw new EnvisionError('E_USAGE', '--methods grad-cam needs --option grad-cam.layer=NAME, the vision model tensor to explain (e.g. its last stage; envision grad --wrt NAME lists close names of a wrong one)');
  }
  // --bundle (and no flag) is a phantom bundle with all its files; --model any adapter's folder, whose training
  // record and prompt file are optional (the bundled phantom MedCLIP's held-out seeds, the phantom class names).
  if (values.bundle !== undefined && values.model !== undefined) throw new EnvisionError('E_USAGE', 'give --model DIR or --bundle DIR, not both (see envision bench --help)');
  if (values.model === undefined) checkBundle(resolve(values.bundle ?? DEFAULT_PHANTOM_BUNDLE));
  const folder = await modelFolder('bench', values.model === undefined ? { bundle: values.bundle ?? DEFAULT_PHANTOM_BUNDLE } : { model: values.model, ...(values.adapter === undefined ? {} : { adapter: values.adapter }) });
  const bundle = folder.dir;
  const trainingFile = existsSync(join(bundle, 'training.json')) ? join(bundle, 'training.json') : join(DEFAULT_PHANTOM_BUNDLE, 'training.json');
  const training = await readTrainingInfo(trainingFile);
  const seeds = training.heldout.last - training.heldout.first + 1;
  if (n > seeds) throw new EnvisionError('E_USAGE', `--n must be at most the ${seeds} held-out seeds of ${shown(trainingFile)}, got ${n}`);
  const out = resolve(values.out ?? join('runs', 'bench-phantom'));
  try {
    await ensureWritableDir(out);
  } catch (e) {
    throw new EnvisionError('E_FILE', `--out ${values.out ?? 'runs/bench-phantom'}: ${describeCause(e)}`, e);
  }

  const started = performance.now();
  const log = (text: string) => io.stderr(`envision bench: ${text}\n`);
  const promptFile = join(bundle, 'prompts.yaml');
  const prompts = existsSync(promptFile) ? await readPromptFile(promptFile) : phantomClassPrompts();
  if (trainingFile !== join(bundle, 'training.json')) log(`${shown(bundle)} has no training.json: held-out seeds of ${shown(trainingFile)}`);
  if (!existsSync(promptFile)) log(`${shown(bundle)} has no prompts.yaml: prompts are the phantom class names`);
  const registry = await registryWith();
  const loaded = await loadBenchModel(folder, threads, prompts);
  try {
    const { model } = loaded;
    const size = model.imageSize;
    // (a clip processor's per-channel mean makes black differ by channel; the methods take one number: channel 0's)
    const black = model.preprocess(new Uint8Array(size * size), size).data[0]!;
    const white = model.preprocess(new Uint8Array(size * size).fill(255), size).data[0]!;
    const defaults = benchMethodDefaults(size, loaded.channels, black, seed, white);
    const methods: BenchMethodSpec[] = ids.map((id) => ({ id, options: { ...defaults[id], ...overrides[id] } }));
    const layer = overrides['grad-cam']?.layer;
    if (typeof layer === 'string') {
      // A wrong layer name fails here, in one line naming close ones, before any phantom is generated.
      const { model: vision, input } = model.adapter.vision;
      await vision.layer?.({ [input]: model.preprocess(new Uint8Array(size * size), size) }, layer);
    }
    if (training.size !== undefined && training.size !== size) {
      log(`warning: training.json evaluated ${training.size} px phantoms but the model's input is ${size} px; phantoms are generated at ${size} px`);
    }
    const { first, last } = training.heldout;
    const header = `${shown(bundle)}: ${size} px, ${Object.keys(prompts).length} classes; held-out seeds ${first}–${last}; ${n} phantom${n === 1 ? '' : 's'}, methods ${ids.join(', ')}`;
    let perPhantom: string[] = [];
    let lastWalk = -1;
    const result = await runPhantomBench({
      model,
      registry,
      classes: prompts,
      heldout: training.heldout,
      n,
      methods,
      accuracySeeds,
      steps,
      tolerance,
      keepMaps: figures,
      onProgress(event) {
        if (event.kind === 'walk') {
          const step = Math.floor(event.walked / 100);
          if (event.walked === 1) log(header);
          if (event.walked === 1 || step > lastWalk) log(`generating held-out phantoms: ${event.walked}/${event.planned} seeds`);
          lastWalk = Math.max(lastWalk, step);
          return;
        }
        perPhantom.push(`${event.method} ${(event.milliseconds / 1000).toFixed(1)} s`);
        if (perPhantom.length === ids.length) {
          log(`[${event.index}/${event.total}] seed ${event.seed} (${event.classes.join(' + ')}): ${perPhantom.join(', ')}`);
          perPhantom = [];
        }
      },
    });
    const milliseconds = performance.now() - started;
    const context = {
      bundle: shown(bundle),
      recorded: training.accuracy === undefined ? undefined : { accuracy: training.accuracy, images: training.accuracyImages },
      milliseconds,
    };
    const written = await writeBenchOutputs(out, result, context);
    if (values.json) io.stdout(benchJsonText(result) + '\n');
    else io.stdout(formatBenchSummary(result, context));
    log(`wrote ${shown(written.json)}, ${shown(written.findings)} and ${shown(written.report)} (${(milliseconds / 1000).toFixed(1)} s)`);
    return 0;
  } finally {
    await loaded.dispose();
  }
}
