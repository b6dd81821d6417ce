import type { VlmAdapter, Box, Tensor } from '@envision/core';

/** The six numbers the phantom benchmark reports per method and approach, in the order of the JSON contract. */
export const BENCH_METRICS = ['pointingGame', 'energyInBox', 'massOutsideBody', 'classMapSimilarity', 'deletionAuc', 'insertionAuc'] as const;

/** One of {@link BENCH_METRICS}. */
export type BenchMetric = (typeof BENCH_METRICS)[number];

/** The six numbers of one method and approach (see `docs/bench-phantom.md` for how each is computed). */
export type BenchScores = { readonly [K in BenchMetric]: number };

/**
 * The two approaches of "Envisioning MedCLIP": `baseline` explains the prompt classifier's class logit (MedCLIP's
 * PromptClassifier: cosine × temperature, max over the class's prompts); `proposed` explains the image embedding
 * fused with the temperature-scaled normalised text embedding (the paper's `dot` fusion), averaged over the class's
 * prompts.
 */
export type BenchApproach = 'baseline' | 'proposed';

/** The approaches in report order. */
export const BENCH_APPROACHES: readonly BenchApproach[] = ['baseline', 'proposed'];

/**
 * The benchmark's result as other tools read it (`bench.json`, and `envision bench phantom --json` on stdout):
 * exactly these keys, numbers as numbers.
 */
export interface PhantomBenchJson {
  /** Zero-shot accuracy of the prompt classifier on the accuracy set (held-out phantoms with at most one finding). */
  readonly zeroShotAccuracy: number;
  /** Number of phantoms benchmarked. */
  readonly n: number;
  /** Per method id, per approach, the six numbers. */
  readonly methods: Readonly<Record<string, Readonly<Record<BenchApproach, BenchScores>>>>;
}

/** A finding as the benchmark needs it (a generated phantom's `PhantomFinding` fits). */
export interface BenchFinding {
  /** The class label; a class of the prompt set. */
  readonly class: string;
  /** `size · size` bytes, 1 inside the finding. */
  readonly mask: Uint8Array;
  /** Tight box of the mask (`x1`, `y1` exclusive). */
  readonly box: Box;
}

/** A phantom as the benchmark needs it (a generated `Phantom` fits). */
export interface BenchPhantom {
  /** The seed it was generated from (names it in reports). */
  readonly seed: number;
  /** Width and height in pixels. */
  readonly size: number;
  /** 8-bit greyscale, `size · size` bytes. */
  readonly image: Uint8Array;
  /** `size · size` bytes, 1 inside the patient's body. */
  readonly bodyMask: Uint8Array;
  /** Its findings (the benchmark skips phantoms without any). */
  readonly findings: readonly BenchFinding[];
}

/**
 * The model under test, as the benchmark drives it. Core knows no adapter: the caller (the CLI) wires the adapter's
 * own preprocessing and prompt classifier in.
 */
export interface BenchModel {
  /** The dual encoder: vision model (attributed), text encoder, temperature. */
  readonly adapter: VlmAdapter;
  /** Side of the vision input; phantoms are generated at this size so masks and maps share pixels. */
  readonly imageSize: number;
  /**
   * The adapter's preprocessing of an 8-bit greyscale image held in memory.
   * @param grey - `size · size` grey levels
   * @param size - its width and height
   * @returns the vision input, float32 `[1, C, size, size]`
   */
  preprocess(grey: Uint8Array, size: number): Tensor<'float32'>;
  /**
   * The adapter's zero-shot prompt classifier on a batch of preprocessed images.
   * @param pixels - float32 `[B, C, H, W]`
   * @returns per image, the class logits in the order of the prompt set's classes
   */
  classify(pixels: Tensor<'float32'>): Promise<readonly (readonly number[])[]>;
}

/** A method to benchmark: its id in the registry and its (unresolved) options. */
export interface BenchMethodSpec {
  /** Method id, e.g. `ig`. */
  readonly id: string;
  /** Options given; merged over the method's defaults and validated before any work starts. */
  readonly options: Readonly<Record<string, unknown>>;
}

/** The per-finding numbers of one method and approach (all but class-map similarity, which is per image). */
export type FindingScores = Omit<BenchScores, 'classMapSimilarity'>;

/** One benchmarked finding: where it came from and its numbers per method and approach. */
export interface BenchFindingRecord {
  /** The phantom's seed. */
  readonly seed: number;
  /** The finding's class. */
  readonly class: string;
  /** Per method id and approach. */
  readonly scores: Readonly<Record<string, Readonly<Record<BenchApproach, FindingScores>>>>;
}

/** One benchmarked image: its class-map similarity per method and approach. */
export interface BenchImageRecord {
  /** The phantom's seed. */
  readonly seed: number;
  /** Classes of its findings. */
  readonly classes: readonly string[];
  /** Mean pairwise Spearman of the class maps, per method id and approach (NaN when a map is constant). */
  readonly classMapSimilarity: Readonly<Record<string, Readonly<Record<BenchApproach, number>>>>;
}
