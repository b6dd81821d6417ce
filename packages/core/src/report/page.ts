import type { RunManifest } from '../manifest.js';
import { escapeHtml } from './escape.js';
import { renderExtras, type ReportExtras } from './extras.js';
import { renderHeader, renderRunDetails } from './header.js';
import { imageAnchor, renderImageSection } from './image-section.js';
import { groupByImage } from './layout.js';
import { REPORT_CSS } from './style.js';
import { SANITY_ANCHOR, renderSanitySection } from './sanity-section.js';

/**
 * The content security policy of a report: nothing may load but images and the inline style sheet, and no script
 * may run at all, so even markup that slipped past escaping could not act.
 */
export const REPORT_CSP = "default-src 'none'; img-src 'self' file: data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

/**
 * The whole report page for a run: a self-contained HTML document (inline CSS, no scripts, no external resources)
 * whose images are the run's overlay PNGs by relative URL, so it must be saved in the run folder.
 *
 * @param manifest - the run manifest
 * @param extras - metrics and figures to add, if any
 * @param runDir - the run folder (to make absolute figure paths relative); default `.`
 * @returns the HTML document
 */
export function renderReport(manifest: RunManifest, extras?: ReportExtras, runDir = '.'): string {
  const images = groupByImage(manifest);
  const extrasHtml = renderExtras(extras, runDir).html;
  const sanityHtml = extras?.sanity ? renderSanitySection(extras.sanity, runDir).html : '';
  const toc = images
    .map((img, i) => `<li><a href="#${imageAnchor(i)}"><code>${escapeHtml(img.image)}</code></a> <span class="muted">(${img.methods.length} methods × ${img.targets.length} targets)</span></li>`)
    .concat(sanityHtml ? [`<li><a href="#${SANITY_ANCHOR}">Sanity checks</a></li>`] : [])
    .concat(extrasHtml ? ['<li><a href="#extras">Metrics and figures</a></li>'] : [])
    .concat(['<li><a href="#about">About this run</a> <span class="muted">(model, versions, timings, configuration)</span></li>'])
    .join('\n');
  const body = `${renderHeader(manifest).html}
<nav class="toc"><h2>Images</h2><ol>
${toc}
</ol></nav>
<main>
${images.map((img, i) => renderImageSection(img, i).html).join('\n')}
${sanityHtml}
${extrasHtml}
${renderRunDetails(manifest).html}
</main>
<footer>Written by Envision from <code>manifest.json</code> (${escapeHtml(manifest.format)}).</footer>`;
  return reportDocument(`Envision report: ${manifest.configFile}`, body);
}

/**
 * A self-contained report document: the inline style sheet, {@link REPORT_CSP}, and `body` (already safe HTML)
 * inside `<body>`. Every Envision report page is this document around its own content.
 *
 * @param title - the document title (text, escaped)
 * @param body - the content of `<body>`, safe HTML
 * @returns the HTML document
 */
export function reportDocument(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(REPORT_CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Envision">
<title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
