import { basename, extname, resolve } from 'node:path';
import type { ExecutionProvider } from '@envision/onnx-grad';
import type { AdapterLoadContext } from '../adapter.js';
import type { Strategy } from '../attribute.js';
import type { Sign } from '../render/index.js';
import { EXPERIMENT_DEFAULTS } from './experiment-schema.js';
import type { SanitySettings } from '../sanity/result.js';

/**
 * The model to explain, as written: `adapter` names the adapter plugin and `executionProviders` the onnxruntime
 * execution providers (both read by the core); every other field is the adapter's options (validated by its schema,
 * merged over its defaults); relative paths in them are left to the adapter (see {@link Experiment.baseDir}).
 */
export type ExperimentModel = {
  readonly adapter: string;
  /**
   * The onnxruntime execution providers of every session of the model, in order of preference, e.g. `[cuda, cpu]`:
   * given to the adapter as {@link AdapterLoadContext.executionProviders}, never among its options. A provider that
   * cannot load stops the run, unless the list names `cpu` to fall back to.
   * @default ['cpu']
   */
  readonly executionProviders?: readonly ExecutionProvider[];
} & Record<string, unknown>;

/** One attribution method to run. */
export interface ExperimentMethod {
  /** Method id. */
  readonly id: string;
  /** Unique label used in output names. @default the id */
  readonly name: string;
  /** The method's options: `{ ...defaultOptions, ...given }`, validated. */
  readonly options: Record<string, unknown>;
}

/** A fusion rule and its options. */
export interface FusionChoice {
  /** Fusion rule id. @default `dot` */
  readonly id: string;
  /** The rule's options: `{ ...defaultOptions, ...given }`, validated. */
  readonly options: Record<string, unknown>;
}

/** A target given as one-hot embedding dimensions: one map per dimension. */
export interface ExperimentDimensionsTarget {
  /** Unique target name. */
  readonly name: string;
  /** Embedding dimensions (integers ≥ 0). */
  readonly dimensions: readonly number[];
}

/** A target given as texts, fused with the image embedding by a fusion rule: one map per text. */
export interface ExperimentTextsTarget {
  /** Unique target name. */
  readonly name: string;
  /**
   * `embedding` (the proposed approach: the method explains the fused image embedding, one map per text) or
   * `classifier` (the baseline: the method explains the prompt classifier's output, one map per class).
   * @default 'embedding'
   */
  readonly target: 'embedding' | 'classifier';
  /** The texts (at least one), each its own class for a classifier target; absent when `classes` or `promptSet` say. */
  readonly texts?: readonly string[];
  /** Prompts grouped by class; each class is embedded as one padded batch, as MedCLIP does. */
  readonly classes?: Readonly<Record<string, readonly string[]>>;
  /** A prompt set the adapter names (e.g. `chexpert5`, `labels`). */
  readonly promptSet?: string;
  /** Prompts sampled per class from the prompt set, with the experiment's seed. @default all */
  readonly n?: number;
  /** The fusion rule. @default `{ id: 'dot', options: <its defaults> }` */
  readonly fusion: FusionChoice;
  /**
   * `text` also explains the texts: for the `ig` and `saliency` items of this target, which tokens of each prompt drive
   * its score (Layer IG at the text encoder's word embeddings, and saliency × embedding), written as
   * `IMAGE/METHOD/TARGET.tokens.json` and shown in the report. Needs an adapter with a text side.
   * @default 'image'
   */
  readonly explain?: 'image' | 'text';
}

/** What is explained; tell the kinds apart with `'texts' in target`. */
export type ExperimentTarget = ExperimentDimensionsTarget | ExperimentTextsTarget;

/** Where and how results are written. */
export interface ExperimentOutput {
  /** Absolute output folder. @default `runs/<file stem>` beside the experiment file */
  readonly dir: string;
  /** Signs rendered. @default `['all']` */
  readonly signs: readonly Sign[];
  /** Percentile of outliers clipped when rendering, 0..100. @default 2 */
  readonly outlierPerc: number;
  /** Opacity of the overlay, 0..1. @default 0.5 */
  readonly alpha: number;
}

/** A validated experiment with every default applied and every file path absolute. */
export interface Experiment {
  /** Absolute path of the experiment file. */
  readonly configFile: string;
  /** Absolute folder of the experiment file: plugins and adapter paths are resolved against it. */
  readonly baseDir: string;
  /** Extra plugin packages, as named (resolve them from {@link Experiment.baseDir}). @default [] */
  readonly plugins: readonly string[];
  /** The model to explain. */
  readonly model: ExperimentModel;
  /** Absolute paths of the images to explain. */
  readonly images: readonly string[];
  /** The attribution methods to run, in order. */
  readonly methods: readonly ExperimentMethod[];
  /** The targets to explain, in order. */
  readonly targets: readonly ExperimentTarget[];
  /** How text targets are computed. @default `auto` */
  readonly strategy: Strategy;
  /** Output settings. */
  readonly output: ExperimentOutput;
  /** Seed of every random choice. @default 0 */
  readonly seed: number;
  /** How `envision sanity` checks the methods (the `sanity:` section); every field has a default. */
  readonly sanity: SanitySettings;
}

/** The experiment as written in the file, once it has passed the schema. */
interface RawExperiment {
  plugins?: string[];
  model: ExperimentModel;
  images: string[];
  methods: { id: string; name?: string; options?: Record<string, unknown> }[];
  targets: {
    name: string;
    target?: 'embedding' | 'classifier';
    explain?: 'image' | 'text';
    dimensions?: number[];
    texts?: string[];
    classes?: Record<string, string[]>;
    promptSet?: string;
    n?: number;
    fusion?: FusionChoice;
  }[];
  strategy?: Strategy;
  output?: { dir?: string; signs?: Sign[]; outlierPerc?: number; alpha?: number };
  seed?: number;
  sanity?: Partial<SanitySettings>;
}

/**
 * Builds the {@link Experiment} from data that passed validation (plugin defaults already merged, see
 * `withPluginDefaults`): applies the core defaults and resolves `images` and `output.dir` against the file's folder.
 * @param valid - plain data that passed the experiment schema and the cross checks
 * @param configFile - absolute path of the experiment file
 * @param baseDir - absolute folder of the experiment file
 */
export function buildExperiment(valid: unknown, configFile: string, baseDir: string): Experiment {
  const data = structuredClone(valid) as RawExperiment;
  const output = data.output ?? {};
  return {
    configFile,
    baseDir,
    plugins: data.plugins ?? [],
    model: data.model,
    images: data.images.map((image) => resolve(baseDir, image)),
    methods: data.methods.map((m) => ({ id: m.id, name: m.name ?? m.id, options: m.options ?? {} })),
    targets: data.targets.map((t): ExperimentTarget => {
      if (t.dimensions !== undefined) return { name: t.name, dimensions: t.dimensions };
      const target = t.target ?? 'embedding';
      const fusion = t.fusion ?? { id: target === 'classifier' ? EXPERIMENT_DEFAULTS.classifierFusion : EXPERIMENT_DEFAULTS.fusion, options: {} };
      return {
        name: t.name,
        target,
        ...(t.texts ? { texts: t.texts } : {}),
        ...(t.classes ? { classes: t.classes } : {}),
        ...(t.promptSet ? { promptSet: t.promptSet } : {}),
        ...(t.n ? { n: t.n } : {}),
        fusion: { id: fusion.id, options: fusion.options ?? {} },
        explain: t.explain ?? 'image',
      };
    }),
    strategy: data.strategy ?? EXPERIMENT_DEFAULTS.strategy,
    output: {
      dir: resolve(baseDir, output.dir ?? `runs/${basename(configFile, extname(configFile))}`),
      signs: output.signs ?? [...EXPERIMENT_DEFAULTS.signs],
      outlierPerc: output.outlierPerc ?? EXPERIMENT_DEFAULTS.outlierPerc,
      alpha: output.alpha ?? EXPERIMENT_DEFAULTS.alpha,
    },
    seed: data.seed ?? EXPERIMENT_DEFAULTS.seed,
    sanity: {
      steps: data.sanity?.steps ?? EXPERIMENT_DEFAULTS.sanity.steps,
      layers: data.sanity?.layers ?? EXPERIMENT_DEFAULTS.sanity.layers,
      seed: data.sanity?.seed ?? EXPERIMENT_DEFAULTS.sanity.seed,
      similarity: data.sanity?.similarity ?? [...EXPERIMENT_DEFAULTS.sanity.similarity],
      randomPrompt: data.sanity?.randomPrompt ?? EXPERIMENT_DEFAULTS.sanity.randomPrompt,
    },
  };
}
