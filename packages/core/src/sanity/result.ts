import type { SanitySimilarity } from './similarity.js';

/** How the vision model is randomised: from the output down, cumulatively, one layer at a time, or both. */
export type SanityStepsChoice = 'cascading' | 'independent' | 'both';

/** The `sanity:` section of an experiment, with its defaults applied. */
export interface SanitySettings {
  /** `cascading` (the top layer, the top two, …), `independent` (each layer alone) or `both`. @default 'both' */
  readonly steps: SanityStepsChoice;
  /** How many layers, from the output down, the steps reach; `all` reaches the input. @default 'all' */
  readonly layers: number | 'all';
  /** Seed of the random weights and of the random target. @default 42 (Quantus' MPRT) */
  readonly seed: number;
  /** The similarity measures reported. @default ['spearman', 'ssim'] */
  readonly similarity: readonly SanitySimilarity[];
  /** Also compare the map of the real target with that of a random one (random text embeddings). @default true */
  readonly randomPrompt: boolean;
}

/** One step of a sanity check: maps recomputed after a change, compared with the original maps. */
export interface SanityStep {
  /** `cascading` (layers 1…k randomised), `independent` (layer k alone) or `random-prompt` (the trained model, a random target). */
  readonly kind: 'cascading' | 'independent' | 'random-prompt';
  /** A short label, e.g. `cascading 3`, `independent 3`, `random prompt`. */
  readonly label: string;
  /** The ranks of the layers randomised (1 = nearest the output); empty for the random-prompt step. */
  readonly layers: readonly number[];
  /** The mean over the target's rows of each measure; null when no row has a value (a constant map). */
  readonly similarity: Readonly<Partial<Record<SanitySimilarity, number | null>>>;
  /** Each measure per row of the target (null where undefined, e.g. Spearman of a constant map). */
  readonly rows: Readonly<Partial<Record<SanitySimilarity, readonly (number | null)[]>>>;
  /** Attribution time of this step, ms (model building excluded). */
  readonly milliseconds: number;
}

/** The sanity check of one method. */
export interface SanityMethodResult {
  /** The method's name in the experiment. */
  readonly method: string;
  /** Its plugin id. */
  readonly id: string;
  /** The strategy its maps were computed with (as `envision run` chooses it). */
  readonly strategy: 'direct' | 'jacobian';
  /** The figure, relative to the output folder: the first row's map as layers are randomised. */
  readonly figure: string;
  readonly steps: readonly SanityStep[];
}

/** A layer of the vision model as the sanity check grouped its initializers. */
export interface SanityLayer {
  readonly rank: number;
  readonly node: string;
  readonly name: string;
  readonly initializers: readonly string[];
  readonly parameters: number;
}

/** What `envision sanity` writes to `sanity.json`. */
export interface SanityResult {
  readonly format: 'envision-sanity/1';
  readonly createdAt: string;
  readonly configFile: string;
  /** The image checked (the experiment's first), relative to the experiment file. */
  readonly image: string;
  /** The target checked (the experiment's first) and its rows. */
  readonly target: string;
  readonly labels: readonly string[];
  readonly settings: SanitySettings;
  /** The vision model and its layers (1 = nearest the output); `randomised` of them are reached by the steps. */
  readonly model: { readonly file: string; readonly sha256: string; readonly randomised: number; readonly layers: readonly SanityLayer[] };
  readonly methods: readonly SanityMethodResult[];
  readonly timings: { readonly totalMs: number };
}

/** The file a sanity check writes in the output folder. */
export const SANITY_FILE = 'sanity.json';
