import { EnvisionError, type PluginRegistry } from '@envision/core';
import { summarizeBench } from './aggregate.js';
import { type PairedDifferences, pairedDifferences } from './paired.js';
import { prepareApproaches } from './approaches.js';
import { type BenchExample, type BenchMethodDone, benchPhantoms } from './bench-phantoms.js';
import { resolveBenchMethods } from './explain.js';
import { scaledTolerance } from './finding-scores.js';
import { type SeedRange, walkHeldout } from './heldout.js';
import type { BenchFindingRecord, BenchImageRecord, BenchMethodSpec, BenchModel, PhantomBenchJson } from './types.js';
import { ZeroShotTally, type ZeroShotResult } from './zero-shot.js';

/** Default number of steps of each deletion/insertion curve. */
export const DEFAULT_CAUSAL_STEPS = 16;

/** Progress of {@link runPhantomBench}: the held-out walk, then each phantom × method. */
export type PhantomBenchProgress =
  | { readonly kind: 'walk'; readonly walked: number; readonly planned: number }
  | ({ readonly kind: 'method' } & BenchMethodDone);

/** Options of {@link runPhantomBench}. */
export interface PhantomBenchOptions {
  /** The model under test. */
  readonly model: BenchModel;
  /** Holds the method plugins and core's fusion rules. */
  readonly registry: PluginRegistry;
  /** Class name → prompts (the bundle's prompt set); `No Finding` counts normal images in the accuracy. */
  readonly classes: Readonly<Record<string, readonly string[]>>;
  /** The held-out seeds (from the bundle's `training.json`). */
  readonly heldout: SeedRange;
  /** Number of phantoms with findings to benchmark. */
  readonly n: number;
  /** Methods and their options. */
  readonly methods: readonly BenchMethodSpec[];
  /**
   * Seeds from the start of the held-out range that make up the accuracy set.
   * @default the whole range
   */
  readonly accuracySeeds?: number | undefined;
  /**
   * Steps of each deletion/insertion curve.
   * @default 16
   */
  readonly steps?: number | undefined;
  /**
   * Pointing-game tolerance in pixels.
   * @default 15 px scaled from 224 px to the model's input size
   */
  readonly tolerance?: number | undefined;
  /**
   * Keep the class maps of this many first phantoms (for figures).
   * @default 0
   */
  readonly keepMaps?: number | undefined;
  /** Progress listener. */
  onProgress?(event: PhantomBenchProgress): void;
}

/** Everything {@link runPhantomBench} measured. */
export interface PhantomBenchResult {
  /** The JSON contract. */
  readonly json: PhantomBenchJson;
  /** The zero-shot accuracy in detail, and the seeds of its set. */
  readonly zeroShot: ZeroShotResult & { readonly seeds: SeedRange };
  /** Settings as they ran: methods with resolved options, steps, tolerance, image size, the phantoms' seeds. */
  readonly settings: {
    readonly methods: readonly { readonly id: string; readonly options: Record<string, unknown> }[];
    readonly steps: number;
    readonly tolerance: number;
    readonly size: number;
    readonly seeds: readonly number[];
    readonly heldout: SeedRange;
    readonly classes: readonly string[];
  };
  /** One record per finding. */
  readonly findings: readonly BenchFindingRecord[];
  /** One record per phantom. */
  readonly images: readonly BenchImageRecord[];
  /** Class maps of the first phantoms, when asked for. */
  readonly examples: readonly BenchExample[];
  /** Wall time per method, in milliseconds. */
  readonly milliseconds: Readonly<Record<string, number>>;
  /** Proposed − baseline per method and metric, with bootstrap intervals over the phantoms. */
  readonly differences: PairedDifferences;
}

function positiveInteger(v: number, what: string): number {
  if (!(Number.isInteger(v) && v >= 1)) throw new EnvisionError('E_CONFIG', `${what} must be an integer ≥ 1, got ${v}`);
  return v;
}

/**
 * The phantom benchmark of the study's two approaches (see `docs/bench-phantom.md`).
 *
 * 1. Validates the methods and their options, and prepares the two approaches' targets ({@link prepareApproaches}).
 * 2. Walks the held-out seeds in order, generating each phantom in memory at the model's input size
 *    ({@link walkHeldout}). The accuracy set (the first `accuracySeeds` seeds, default all of them) feeds the zero-shot
 *    accuracy: the images with at most one finding, labelled with their finding's class or `No Finding`, classified
 *    by the model's prompt classifier (arg-max class logit). The first `n` phantoms with at least one finding are
 *    benchmarked.
 * 3. Benchmarks them ({@link benchPhantoms}), averages ({@link summarizeBench}), and puts a bootstrap interval on each
 *    proposed − baseline difference ({@link pairedDifferences}).
 *
 * Everything is deterministic for fixed inputs (the methods' own seeds are in their options).
 *
 * @param options - model, registry, prompts, held-out seeds, n, methods and metric settings
 * @returns the JSON contract and the details behind it
 * @throws EnvisionError `E_PLUGIN`/`E_CONFIG` for unknown methods or bad options or settings (before any long work);
 * `E_CONFIG` when the held-out range holds fewer than `n` phantoms with findings
 */
export async function runPhantomBench(options: PhantomBenchOptions): Promise<PhantomBenchResult> {
  const { model, registry, classes: prompts, heldout, n } = options;
  positiveInteger(n, 'n');
  const steps = positiveInteger(options.steps ?? DEFAULT_CAUSAL_STEPS, 'steps');
  const size = model.imageSize;
  const tolerance = options.tolerance ?? scaledTolerance(size);
  if (!(Number.isFinite(tolerance) && tolerance >= 0)) throw new EnvisionError('E_CONFIG', `tolerance must be a number ≥ 0, got ${tolerance}`);
  const accuracySeeds = positiveInteger(options.accuracySeeds ?? heldout.last - heldout.first + 1, 'the accuracy set size');
  const classes = Object.keys(prompts);
  if (classes.length < 2) throw new EnvisionError('E_CONFIG', `the prompt set needs at least two classes, got ${classes.length}`);
  const methods = resolveBenchMethods(registry, options.methods);
  const targets = await prepareApproaches(model.adapter, registry, prompts);

  const tally = new ZeroShotTally(model, classes);
  const walk = await walkHeldout({
    range: heldout,
    size,
    n,
    accuracySeeds,
    async onAccuracyPhantom(p) {
      if (p.findings.length <= 1) await tally.add(p.image, p.size, p.labels[0]!);
    },
    onProgress: (walked, planned) => options.onProgress?.({ kind: 'walk', walked, planned }),
  });
  const zeroShot = { ...(await tally.finish()), seeds: walk.accuracy };
  const measured = await benchPhantoms({
    model,
    targets,
    classes,
    phantoms: walk.bench,
    methods,
    steps,
    tolerance,
    keepMaps: options.keepMaps ?? 0,
    onMethodDone: (event) => options.onProgress?.({ kind: 'method', ...event }),
  });
  return {
    json: summarizeBench(
      methods.map((m) => m.id),
      measured.findings,
      measured.images,
      zeroShot.accuracy,
    ),
    zeroShot,
    settings: {
      methods: methods.map((m) => ({ id: m.id, options: m.options })),
      steps,
      tolerance,
      size,
      seeds: walk.bench.map((p) => p.seed),
      heldout,
      classes,
    },
    ...measured,
    differences: pairedDifferences(
      measured.findings,
      measured.images,
      methods.map((m) => m.id),
    ),
  };
}
