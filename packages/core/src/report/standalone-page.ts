import { escapeHtml } from './escape.js';
import type { Html } from './html.js';
import { reportDocument } from './page.js';

/** What {@link renderStandalonePage} puts on a page. */
export interface StandalonePage {
  /** The document's title and top heading (text, escaped). */
  readonly title: string;
  /** A line under the heading (text, escaped), if any. */
  readonly subtitle?: string | undefined;
  /** The page's content, already safe HTML (built with {@link table}, {@link raw} and {@link escapeHtml}). */
  readonly body: Html;
  /** The footer line (text, escaped), if any. */
  readonly footer?: string | undefined;
}

/**
 * A self-contained report page in the style of the run report — the same inline style sheet and the same content
 * security policy (nothing loads but images beside it, no script runs) — around any content, for reports that are not
 * about a run (benchmarks).
 *
 * @param page - title, subtitle, body and footer
 * @returns the HTML document
 */
export function renderStandalonePage(page: StandalonePage): string {
  const subtitle = page.subtitle === undefined ? '' : `\n<p class="subtitle">${escapeHtml(page.subtitle)}</p>`;
  const footer = page.footer === undefined ? '' : `\n<footer>${escapeHtml(page.footer)}</footer>`;
  return reportDocument(page.title, `<header>
<h1>${escapeHtml(page.title)}</h1>${subtitle}
</header>
<main>
${page.body.html}
</main>${footer}`);
}
