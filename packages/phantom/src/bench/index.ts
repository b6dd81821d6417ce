/**
 * The phantom benchmark of "Envisioning MedCLIP"'s two approaches: held-out phantoms regenerated in memory, the
 * baseline (methods on the prompt classifier's class logit) and the proposed approach (methods on the image embedding
 * fused with the text embedding) explained through the pipeline, and per method and approach the pointing game,
 * energy-in-box, attribution mass outside the body, class-map similarity and deletion/insertion AUCs; the zero-shot
 * accuracy of the prompt classifier; a text table, the JSON contract and an HTML report. Core knows no adapter or
 * method by name: the caller passes the model's preprocessing and classifier, and the method ids and options.
 * How each number is computed: `docs/bench-phantom.md`.
 * @module
 */
export {
  BENCH_METRICS,
  BENCH_APPROACHES,
  type BenchMetric,
  type BenchScores,
  type BenchApproach,
  type PhantomBenchJson,
  type BenchFinding,
  type BenchPhantom,
  type BenchModel,
  type BenchMethodSpec,
  type FindingScores,
  type BenchFindingRecord,
  type BenchImageRecord,
} from './types.js';
export { type TrainingInfo, parseTrainingInfo, readTrainingInfo } from './training-info.js';
export { type SeedRange, type WalkHeldoutOptions, type HeldoutWalk, walkHeldout } from './heldout.js';
export { type ZeroShotResult, predictedClass, ZeroShotTally } from './zero-shot.js';
export { groupMeanRows, perClassTarget, prepareApproaches } from './approaches.js';
export { type ResolvedBenchMethod, resolveBenchMethods, explainImage } from './explain.js';
export { scaledTolerance, localizationScores, causalScores, classPlane, imageClassMapSimilarity } from './finding-scores.js';
export { finiteMean, meanFindingScores, summarizeBench } from './aggregate.js';
export { DEFAULT_RESAMPLES, type PairedDifference, type PairedDifferenceOptions, type PairedDifferences, excludesZero, pairedDifferences, sortedQuantile } from './paired.js';
export {
  type BenchMethodDone,
  type BenchExample,
  type BenchPhantomsOptions,
  type BenchPhantomsResult,
  classProbabilityScorer,
  benchPhantoms,
} from './bench-phantoms.js';
export { DEFAULT_CAUSAL_STEPS, type PhantomBenchProgress, type PhantomBenchOptions, type PhantomBenchResult, runPhantomBench } from './run.js';
export { BENCH_METRIC_LABELS, type BenchContext, describeSeeds, formatBenchTable, formatDifferencesTable, formatBenchSummary, formatInterval, metricHeading, signed } from './table.js';
export { type BenchFigure, renderResultsTable, renderDifferencesTable, renderBenchReport } from './report.js';
export { renderBenchFigure } from './figures.js';
export { BENCH_FILES, type BenchOutputs, benchJsonText, writeBenchOutputs } from './write.js';
