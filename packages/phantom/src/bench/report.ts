import { escapeHtml, formatDuration, raw, table, type Content, type Html, renderStandalonePage } from '@envision/core';
import { meanFindingScores } from './aggregate.js';
import type { PhantomBenchResult } from './run.js';
import { excludesZero } from './paired.js';
import { type BenchContext, describeSeeds, formatInterval, metricHeading, signed } from './table.js';
import { BENCH_APPROACHES, BENCH_METRICS } from './types.js';

/** A figure of the benchmark report: a PNG beside the report (relative path) and its caption. */
export interface BenchFigure {
  /** Caption (text). */
  readonly title: string;
  /** Path relative to the report's folder, `/`-separated. */
  readonly png: string;
}

/** The results table: one row per method and approach, one column per metric. */
export function renderResultsTable(result: PhantomBenchResult): Html {
  const head = ['Method', 'Approach', ...BENCH_METRICS.map(metricHeading)];
  const rows: Content[][] = [];
  for (const [method, byApproach] of Object.entries(result.json.methods)) {
    for (const approach of BENCH_APPROACHES) rows.push([method, approach, ...BENCH_METRICS.map((k) => byApproach[approach][k])]);
  }
  return table(head, rows, { rowHeaders: true, className: 'metrics bench-results', numeric: BENCH_METRICS.map((_, j) => j + 2) });
}

/** Proposed − baseline per method (rows) and metric (columns): the mean and its interval; bold where it excludes 0. */
export function renderDifferencesTable(result: PhantomBenchResult): Html {
  const head = ['Method', ...BENCH_METRICS.map(metricHeading)];
  const rows: Content[][] = Object.entries(result.differences.methods).map(([method, byMetric]) => [
    method,
    ...BENCH_METRICS.map((k) => {
      const d = byMetric[k];
      const text = escapeHtml(`${signed(d.mean)} ${formatInterval(d)}`);
      return raw(excludesZero(d) ? `<b>${text}</b>` : text);
    }),
  ]);
  return table(head, rows, { rowHeaders: true, className: 'metrics bench-differences', numeric: BENCH_METRICS.map((_, j) => j + 1) });
}

/** Pointing game and energy-in-box per finding class (mean over that class's findings). */
function byClassTable(result: PhantomBenchResult, metric: 'pointingGame' | 'energyInBox'): Html {
  const classes = result.settings.classes.filter((c) => result.findings.some((f) => f.class === c));
  const counts = classes.map((c) => result.findings.filter((f) => f.class === c).length);
  const rows: Content[][] = [];
  for (const { id } of result.settings.methods) {
    for (const approach of BENCH_APPROACHES) {
      rows.push([id, approach, ...classes.map((c) => meanFindingScores(result.findings.filter((f) => f.class === c), id, approach)[metric])]);
    }
  }
  return table(['Method', 'Approach', ...classes.map((c, j) => `${c} (${counts[j]})`)], rows, { rowHeaders: true, className: 'metrics', numeric: classes.map((_, j) => j + 2) });
}

/**
 * The benchmark's HTML report: summary, the results table, the paired differences, each method's options and wall time, pointing game and
 * energy-in-box per finding class, the zero-shot accuracy per class, the figures, and how each number is computed.
 * Self-contained (inline style, no script); figures are PNGs beside it.
 *
 * @param result - the benchmark's result
 * @param context - bundle, recorded accuracy, wall time
 * @param figures - figures to show
 * @returns the HTML document
 */
export function renderBenchReport(result: PhantomBenchResult, context: BenchContext, figures: readonly BenchFigure[] = []): string {
  const { json, zeroShot: z, settings } = result;
  const summary = table(
    [],
    [
      ['Bundle', raw(`<code>${escapeHtml(context.bundle)}</code>`)],
      ['Zero-shot accuracy', `${json.zeroShotAccuracy.toFixed(4)} (${z.correct} of ${z.images} held-out images with at most one finding, seeds ${z.seeds.first}–${z.seeds.last})`],
      ...(context.recorded
        ? [['Recorded in training.json', `${context.recorded.accuracy.toFixed(4)}${context.recorded.images === undefined ? '' : ` on ${context.recorded.images} images`}`] as Content[]]
        : []),
      ['Phantoms', `${json.n} with findings, seeds ${describeSeeds(settings.seeds)} (held-out range ${settings.heldout.first}–${settings.heldout.last})`],
      ['Findings', result.findings.length],
      ['Image size', `${settings.size} × ${settings.size} px`],
      ['Classes', settings.classes.join(', ')],
      ['Pointing-game tolerance', `${settings.tolerance.toFixed(2)} px`],
      ['Deletion / insertion', `${settings.steps} steps; score = the class's softmax probability; pixels to / from the black image`],
      ...(context.milliseconds === undefined ? [] : [['Wall time', formatDuration(context.milliseconds)] as Content[]]),
    ],
    { rowHeaders: true, className: 'kv' },
  );
  const options = table(
    ['Method', 'Options', 'Wall time'],
    settings.methods.map((m) => [m.id, raw(`<code>${escapeHtml(JSON.stringify(m.options))}</code>`), formatDuration(result.milliseconds[m.id] ?? NaN)]),
    { rowHeaders: true, className: 'kv', numeric: [2] },
  );
  const perClassAccuracy = table(
    ['Class', 'Images', 'Correct', 'Accuracy'],
    Object.entries(z.perClass).map(([name, c]) => [name, c.images, c.correct, c.images === 0 ? '—' : c.correct / c.images]),
    { rowHeaders: true, className: 'metrics', numeric: [1, 2, 3] },
  );
  const figs = figures.map((f) => {
    const src = escapeHtml(f.png);
    const title = escapeHtml(f.title);
    return `<figure class="extra"><a href="${src}"><img src="${src}" alt="${title}"></a><figcaption>${title}</figcaption></figure>`;
  });
  const body = raw(`<section class="extras" id="summary"><h2>Summary</h2>${summary.html}</section>
<section class="extras" id="results"><h2>Results</h2>
<p class="muted">Per method and approach: findings averaged (pointing game, energy-in-box, mass outside the body, deletion and insertion AUC), images averaged (class-map similarity). Arrows: the better direction.</p>
${renderResultsTable(result).html}
<h3>Proposed − baseline</h3>
<p class="muted">Mean of proposed − baseline over the findings (class-map similarity: over the images), and its ${Math.round(result.differences.level * 100)} % percentile bootstrap interval resampling phantoms (${result.differences.resamples} resamples, seed ${result.differences.seed}). Bold: the interval excludes 0. Arrows: the better direction of the metric.</p>
${renderDifferencesTable(result).html}
<h3>Method options</h3>${options.html}
</section>
<section class="extras" id="by-class"><h2>By finding class</h2>
<h3>Pointing game</h3>${byClassTable(result, 'pointingGame').html}
<h3>Energy in box</h3>${byClassTable(result, 'energyInBox').html}
<h3>Zero-shot accuracy</h3>${perClassAccuracy.html}
</section>
${figs.length > 0 ? `<section class="extras" id="figures"><h2>Figures</h2><p class="muted">Positive attribution of the finding's class (Captum's positive sign, 2 % outliers clipped); the first column marks the finding.</p><div class="figures">${figs.join('\n')}</div></section>` : ''}
<section class="extras" id="definitions"><h2>How the numbers are computed</h2><ul>
<li><b>baseline</b>: the method explains MedCLIP's PromptClassifier class logit (τ · cosine, max over the class's prompts); <b>proposed</b>: the method explains the image embedding fused with τ · the normalised text embedding (the paper's dot fusion), averaged over the class's prompts. Maps are summed over channels.</li>
<li><b>pointing</b>: 1 when the maximum of the signed map of the finding's class lies in the finding's mask (or within the tolerance), else 0.</li>
<li><b>energy-in-box</b>: share of the positive part of that map inside the finding's bounding box.</li>
<li><b>outside-body</b>: share of the absolute map outside the body mask.</li>
<li><b>class-sim</b>: mean pairwise Spearman correlation of the signed maps of all classes on the image (1 = class-agnostic).</li>
<li><b>deletion / insertion</b>: area under the class's softmax probability as pixels are set to black (deletion) or restored from black (insertion) in order of decreasing signed attribution.</li>
<li><b>zero-shot accuracy</b>: arg-max of the prompt classifier's class logits on the held-out images with at most one finding (label: the finding's class, or No Finding).</li>
</ul><p class="muted">Details: docs/bench-phantom.md.</p></section>`);
  return renderStandalonePage({
    title: 'Envision phantom benchmark',
    subtitle: `${context.bundle} · ${json.n} held-out phantoms · ${settings.methods.map((m) => m.id).join(', ')}`,
    body,
    footer: 'Written by envision bench phantom; the numbers are also in bench.json (the JSON contract) and findings.json (per finding).',
  });
}
