import { type PairedDifference, type PairedDifferences, excludesZero } from './paired.js';
import type { PhantomBenchResult } from './run.js';
import { BENCH_APPROACHES, BENCH_METRICS, type BenchMetric, type PhantomBenchJson } from './types.js';

/** Column headings of the metrics, and which direction is better (as the study's claims read them). */
export const BENCH_METRIC_LABELS: Readonly<Record<BenchMetric, { readonly label: string; readonly better: 'higher' | 'lower' }>> = {
  pointingGame: { label: 'pointing', better: 'higher' },
  energyInBox: { label: 'energy-in-box', better: 'higher' },
  massOutsideBody: { label: 'outside-body', better: 'lower' },
  classMapSimilarity: { label: 'class-sim', better: 'lower' },
  deletionAuc: { label: 'deletion', better: 'lower' },
  insertionAuc: { label: 'insertion', better: 'higher' },
};

/** What the benchmark's outputs say besides the result: where the model came from and what its training recorded. */
export interface BenchContext {
  /** The bundle folder, as given. */
  readonly bundle: string;
  /** The held-out zero-shot accuracy recorded in the bundle's `training.json`, and how many images it counts. */
  readonly recorded?: { readonly accuracy: number; readonly images?: number | undefined } | undefined;
  /** Wall time of the whole benchmark, in milliseconds. */
  readonly milliseconds?: number | undefined;
}

/** `a–b` for a sorted list of seeds, or the list when short. */
export function describeSeeds(seeds: readonly number[]): string {
  if (seeds.length === 0) return 'none';
  if (seeds.length <= 4) return seeds.join(', ');
  return `${seeds[0]}–${seeds[seeds.length - 1]}`;
}

/**
 * The results as a fixed-width text table: one row per method and approach, one column per metric (4 decimals),
 * with a line saying which direction is better.
 *
 * @param json - the benchmark's JSON
 * @returns the table's lines
 */
export function formatBenchTable(json: PhantomBenchJson): string[] {
  const methodWidth = Math.max(6, ...Object.keys(json.methods).map((m) => m.length));
  const approachWidth = Math.max(8, ...BENCH_APPROACHES.map((a) => a.length));
  const widths = BENCH_METRICS.map((k) => Math.max(9, BENCH_METRIC_LABELS[k].label.length));
  const head = ['method'.padEnd(methodWidth), 'approach'.padEnd(approachWidth), ...BENCH_METRICS.map((k, j) => BENCH_METRIC_LABELS[k].label.padStart(widths[j]!))];
  const better = [''.padEnd(methodWidth), 'better'.padEnd(approachWidth), ...BENCH_METRICS.map((k, j) => (BENCH_METRIC_LABELS[k].better === 'higher' ? '↑' : '↓').padStart(widths[j]!))];
  const lines = [head.join('  '), better.join('  ')];
  for (const [method, byApproach] of Object.entries(json.methods)) {
    for (const approach of BENCH_APPROACHES) {
      const s = byApproach[approach];
      lines.push([method.padEnd(methodWidth), approach.padEnd(approachWidth), ...BENCH_METRICS.map((k, j) => s[k].toFixed(4).padStart(widths[j]!))].join('  '));
    }
  }
  return lines;
}

/** A number with its sign, 4 decimals (`+0.1234`, `-0.1234`, never `-0.0000`, as the main table's minus); `—` for NaN. */
export function signed(v: number): string {
  if (Number.isNaN(v)) return '—';
  const t = Math.abs(v).toFixed(4);
  return (v < 0 && Number(t) !== 0 ? '-' : '+') + t;
}

/** A metric's column heading with the better direction, e.g. `pointing ↑`. */
export function metricHeading(metric: BenchMetric): string {
  return `${BENCH_METRIC_LABELS[metric].label} ${BENCH_METRIC_LABELS[metric].better === 'higher' ? '↑' : '↓'}`;
}

/** The interval of a difference, `[low, high]`, both signed. */
export function formatInterval(d: PairedDifference): string {
  return `[${signed(d.low)}, ${signed(d.high)}]`;
}

/**
 * The paired differences as a fixed-width text table: one row per method and metric with proposed − baseline, its
 * interval, and `*` where the interval excludes 0.
 *
 * @param differences - the differences ({@link pairedDifferences})
 * @returns the table's lines, a heading line first
 */
export function formatDifferencesTable(differences: PairedDifferences): string[] {
  const methods = Object.keys(differences.methods);
  const methodWidth = Math.max(6, ...methods.map((m) => m.length));
  const metricWidth = Math.max(6, ...BENCH_METRICS.map((k) => BENCH_METRIC_LABELS[k].label.length));
  const level = Math.round(differences.level * 100);
  const lines = [
    `proposed − baseline (mean over findings; class-sim over images), ${level} % bootstrap interval over phantoms (${differences.resamples} resamples); * = excludes 0`,
    ['method'.padEnd(methodWidth), 'metric'.padEnd(metricWidth), 'difference', 'interval'].join('  '),
  ];
  for (const method of methods) {
    for (const metric of BENCH_METRICS) {
      const d = differences.methods[method]![metric];
      lines.push([method.padEnd(methodWidth), BENCH_METRIC_LABELS[metric].label.padEnd(metricWidth), signed(d.mean).padStart(10), `${formatInterval(d)}${excludesZero(d) ? ' *' : ''}`].join('  '));
    }
  }
  return lines;
}

/**
 * The benchmark's human-readable summary: the zero-shot accuracy (with the figure `training.json` records), the
 * phantoms, the metric settings, the table, the paired differences, and every method's options as they ran.
 *
 * @param result - the benchmark's result
 * @param context - bundle and recorded accuracy
 * @returns the text, ending with a newline
 */
export function formatBenchSummary(result: PhantomBenchResult, context: BenchContext): string {
  const { json, zeroShot, settings } = result;
  const z = zeroShot;
  const recorded = context.recorded
    ? `; training.json records ${context.recorded.accuracy.toFixed(4)}${context.recorded.images === undefined ? '' : ` on ${context.recorded.images}`}`
    : '';
  const findings = result.findings.length;
  const idWidth = Math.max(...settings.methods.map((m) => m.id.length));
  const lines = [
    `Envision phantom benchmark: ${context.bundle}`,
    `zero-shot accuracy  ${json.zeroShotAccuracy.toFixed(4)} (${z.correct}/${z.images} held-out images with at most one finding, seeds ${z.seeds.first}–${z.seeds.last}${recorded})`,
    `phantoms            ${json.n} with findings (${findings} finding${findings === 1 ? '' : 's'}), seeds ${describeSeeds(settings.seeds)}, ${settings.size}×${settings.size} px`,
    `metrics             pointing tolerance ${settings.tolerance.toFixed(2)} px; deletion/insertion ${settings.steps} steps of the class's softmax probability, to/from black`,
    '',
    ...formatBenchTable(json),
    '',
    ...formatDifferencesTable(result.differences),
    '',
    'method options',
    ...settings.methods.map((m) => `  ${m.id.padEnd(idWidth)}  ${JSON.stringify(m.options)}`),
  ];
  if (context.milliseconds !== undefined) lines.push('', `wall time ${(context.milliseconds / 1000).toFixed(1)} s`);
  return lines.join('\n') + '\n';
}
