import { EnvisionError, formatShape, tensor, type Tensor, type Scorer, type PreparedTarget } from '@envision/core';
import type { ResolvedBenchMethod } from './explain.js';
import { explainImage } from './explain.js';
import { causalScores, classPlane, imageClassMapSimilarity, localizationScores } from './finding-scores.js';
import { BENCH_APPROACHES, type BenchApproach, type BenchFindingRecord, type BenchImageRecord, type BenchModel, type BenchPhantom, type FindingScores } from './types.js';

/** Progress of {@link benchPhantoms}: one event per phantom and method, after it is done. */
export interface BenchMethodDone {
  /** 1-based index of the phantom. */
  readonly index: number;
  /** Number of phantoms. */
  readonly total: number;
  /** The phantom's seed. */
  readonly seed: number;
  /** Classes of its findings. */
  readonly classes: readonly string[];
  /** The method that finished. */
  readonly method: string;
  /** Its wall time on this phantom (attribution of both approaches and all metrics), in milliseconds. */
  readonly milliseconds: number;
}

/** The class maps of one phantom, kept for figures. */
export interface BenchExample {
  /** The phantom. */
  readonly phantom: BenchPhantom;
  /** Per method and approach, the channel-summed class maps `[K, H, W]` (rows in the prompt set's class order). */
  readonly maps: Readonly<Record<string, Readonly<Record<BenchApproach, Tensor<'float32'>>>>>;
}

/** Options of {@link benchPhantoms}. */
export interface BenchPhantomsOptions {
  /** The model, its preprocessing and prompt classifier. */
  readonly model: BenchModel;
  /** The approaches' targets, one row per class (see {@link prepareApproaches}). */
  readonly targets: Readonly<Record<BenchApproach, PreparedTarget>>;
  /** The class names, in the order of the targets' rows and the classifier's logits. */
  readonly classes: readonly string[];
  /** The phantoms, each with at least one finding. */
  readonly phantoms: readonly BenchPhantom[];
  /** The methods, resolved. */
  readonly methods: readonly ResolvedBenchMethod[];
  /** Steps of each deletion/insertion curve. */
  readonly steps: number;
  /** Pointing-game tolerance in pixels. */
  readonly tolerance: number;
  /**
   * Keep the class maps of this many first phantoms (for figures).
   * @default 0
   */
  readonly keepMaps?: number;
  /** Called after each phantom and method. */
  onMethodDone?(event: BenchMethodDone): void;
}

/** What {@link benchPhantoms} measured. */
export interface BenchPhantomsResult {
  /** One record per finding, in phantom and finding order. */
  readonly findings: readonly BenchFindingRecord[];
  /** One record per phantom. */
  readonly images: readonly BenchImageRecord[];
  /** The kept class maps. */
  readonly examples: readonly BenchExample[];
  /** Wall time per method over all phantoms, in milliseconds. */
  readonly milliseconds: Readonly<Record<string, number>>;
}

/** Softmax probability of class `k` from each row of logits. */
function softmaxAt(logits: readonly number[], k: number): number {
  const top = Math.max(...logits);
  let sum = 0;
  for (const l of logits) sum += Math.exp(l - top);
  return Math.exp(logits[k]! - top) / sum;
}

/**
 * The scorer of deletion/insertion curves for class `k`: the softmax over the classes of the prompt classifier's
 * logits, at class `k`, for a batch of preprocessed images.
 *
 * @param model - the model (its prompt classifier)
 * @param shape - the shape of one image, `[C, H, W]`
 * @param k - the class's index
 * @returns the scorer
 */
export function classProbabilityScorer(model: BenchModel, shape: readonly number[], k: number): Scorer {
  return async (images) => {
    const n = images[0]!.length;
    const data = new Float32Array(images.length * n);
    images.forEach((im, i) => data.set(im, i * n));
    const logits = await model.classify(tensor('float32', [images.length, ...shape], data));
    return logits.map((l) => softmaxAt(l, k));
  };
}

/**
 * Benchmarks methods on phantoms: for each phantom it preprocesses the image, embeds it, explains it with each method
 * for both approaches ({@link explainImage}: one map per class), and scores, for each finding, the map of the
 * finding's class — {@link localizationScores} against the finding's mask and box and the body mask, and
 * {@link causalScores} with the class's softmax probability — and, per image, the class-map similarity of all class
 * maps.
 *
 * @param options - model, targets, phantoms, methods and metric settings
 * @returns per-finding and per-image records, kept maps and timings
 * @throws EnvisionError `E_CONFIG` when a finding's class has no prompts or the model's input size differs from a
 * phantom's
 */
export async function benchPhantoms(options: BenchPhantomsOptions): Promise<BenchPhantomsResult> {
  const { model, targets, classes, phantoms, methods, steps, tolerance } = options;
  for (const p of phantoms) {
    for (const f of p.findings) {
      if (!classes.includes(f.class)) throw new EnvisionError('E_CONFIG', `finding '${f.class}' of phantom ${p.seed} has no prompts (classes: ${classes.join(', ')})`);
    }
  }
  const findings: BenchFindingRecord[] = [];
  const images: BenchImageRecord[] = [];
  const examples: BenchExample[] = [];
  const milliseconds: Record<string, number> = Object.fromEntries(methods.map((m) => [m.id, 0]));
  const black = (size: number) => model.preprocess(new Uint8Array(size * size), size).data;
  for (const [i, phantom] of phantoms.entries()) {
    const { size } = phantom;
    const pixels = model.preprocess(phantom.image, size);
    const [, c, h, w] = pixels.shape as [number, number, number, number];
    if (h !== size || w !== size) {
      throw new EnvisionError('E_CONFIG', `the model's input is ${formatShape(pixels.shape)} but phantom ${phantom.seed} is ${size}×${size}: generate phantoms at the model's size`);
    }
    const image = { data: pixels.data, channels: c, height: h, width: w };
    const blackImage = black(size);
    const embedding = (await model.adapter.encodeImage(pixels)).data;
    const scores = phantom.findings.map(() => ({}) as Record<string, Record<BenchApproach, FindingScores>>);
    const similarity: Record<string, Record<BenchApproach, number>> = {};
    const kept: Record<string, Record<BenchApproach, Tensor<'float32'>>> = {};
    for (const method of methods) {
      const started = performance.now();
      const maps = await explainImage(method, targets, model.adapter.vision, pixels, embedding);
      similarity[method.id] = { baseline: imageClassMapSimilarity(maps.baseline), proposed: imageClassMapSimilarity(maps.proposed) };
      for (const [j, finding] of phantom.findings.entries()) {
        const k = classes.indexOf(finding.class);
        const score = classProbabilityScorer(model, [c, h, w], k);
        const perApproach = {} as Record<BenchApproach, FindingScores>;
        for (const approach of BENCH_APPROACHES) {
          const plane = classPlane(maps[approach], k);
          perApproach[approach] = { ...localizationScores(plane, finding, phantom.bodyMask, tolerance), ...(await causalScores(plane, image, blackImage, score, steps)) };
        }
        scores[j]![method.id] = perApproach;
      }
      if (i < (options.keepMaps ?? 0)) kept[method.id] = maps;
      const ms = performance.now() - started;
      milliseconds[method.id]! += ms;
      options.onMethodDone?.({ index: i + 1, total: phantoms.length, seed: phantom.seed, classes: phantom.findings.map((f) => f.class), method: method.id, milliseconds: ms });
    }
    phantom.findings.forEach((f, j) => findings.push({ seed: phantom.seed, class: f.class, scores: scores[j]! }));
    images.push({ seed: phantom.seed, classes: phantom.findings.map((f) => f.class), classMapSimilarity: similarity });
    if (i < (options.keepMaps ?? 0)) examples.push({ phantom, maps: kept });
  }
  return { findings, images, examples, milliseconds };
}
