import { escapeHtml } from './escape.js';
import { raw, table, type Content, type Html } from './html.js';
import { relativeUrl } from './url.js';
import type { SanityResult } from '../sanity/result.js';

/** Numbers and figures computed after a run (evaluation metrics, summary plots), added to its report. */
export interface ReportExtras {
  /**
   * Numbers by row and column, e.g. `{ ig: { 'deletion AUC': 0.21, 'insertion AUC': 0.64 } }`. Rendered as one
   * table: rows = the outer keys, columns = the inner keys (in order of first appearance; `—` where a row lacks one).
   */
  readonly metrics?: Record<string, Record<string, number>>;
  /** Images with titles. `png` is relative to the run folder (or absolute, then made relative to it). */
  readonly figures?: readonly { readonly title: string; readonly png: string }[];
  /** The folder's sanity check (`sanity.json`), shown in its own section. */
  readonly sanity?: SanityResult;
}

/**
 * The extras of a report: the metrics table, then the figures with their titles as captions.
 *
 * @param extras - the extras (may be absent or empty)
 * @param runDir - the run folder, to make absolute figure paths relative
 * @returns HTML (a `<section>`, or nothing when there are no extras)
 */
export function renderExtras(extras: ReportExtras | undefined, runDir: string): Html {
  const rows = Object.entries(extras?.metrics ?? {});
  const figures = extras?.figures ?? [];
  if (rows.length === 0 && figures.length === 0) return raw('');
  const columns = [...new Set(rows.flatMap(([, r]) => Object.keys(r)))];
  const metrics =
    rows.length === 0
      ? ''
      : `<h3>Metrics</h3>${
          table(
            ['', ...columns],
            rows.map(([name, values]): Content[] => [name, ...columns.map((c) => values[c] ?? '—')]),
            { rowHeaders: true, className: 'metrics', numeric: columns.map((_, j) => j + 1) },
          ).html
        }`;
  const figs = figures.map((f) => {
    const src = escapeHtml(relativeUrl(f.png, runDir));
    const title = escapeHtml(f.title);
    return `<figure class="extra"><a href="${src}"><img src="${src}" alt="${title}"></a><figcaption>${title}</figcaption></figure>`;
  });
  return raw(`<section class="extras" id="extras">
<h2>Metrics and figures</h2>
${metrics}
${figs.length > 0 ? `<h3>Figures</h3><div class="figures">${figs.join('\n')}</div>` : ''}
</section>`);
}
