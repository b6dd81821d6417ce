import type { RunManifest } from '../manifest.js';
import { escapeHtml } from './escape.js';
import { formatDuration } from './format.js';
import { raw, table, type Html } from './html.js';

/**
 * The report's header: its title and the config file, one line. The details of the run come after the figures and
 * the tables of the images ({@link renderRunDetails}): the report leads with pictures.
 *
 * @param manifest - the run manifest
 * @returns HTML (a `<header>` element)
 */
export function renderHeader(manifest: RunManifest): Html {
  const images = new Set(manifest.items.map((i) => i.image)).size;
  return raw(`<header>
<h1>Envision report</h1>
<p class="subtitle"><code>${escapeHtml(manifest.configFile)}</code> · ${images} image${images === 1 ? '' : 's'} · <a href="#about">about this run</a></p>
</header>`);
}

/**
 * The details of a run, after its pictures: the config file, creation date, seed and size of the run; the model
 * (adapter, embedding size, logit scale, file hashes); package versions; timings; and the whole resolved
 * configuration as JSON (folded).
 *
 * @param manifest - the run manifest
 * @returns HTML (a `<section id="about">` element)
 */
export function renderRunDetails(manifest: RunManifest): Html {
  const images = new Set(manifest.items.map((i) => i.image)).size;
  const overlays = manifest.items.reduce((n, i) => n + i.overlays.length, 0);
  const run = table(
    [],
    [
      ['Config file', raw(`<code>${escapeHtml(manifest.configFile)}</code>`)],
      ['Created', raw(`<time datetime="${escapeHtml(manifest.createdAt)}">${escapeHtml(readableDate(manifest.createdAt))}</time>`)],
      ['Seed', manifest.seed],
      ['Format', manifest.format],
      ['Contents', `${images} image${images === 1 ? '' : 's'}, ${manifest.items.length} map sets, ${overlays} overlays`],
    ],
    { rowHeaders: true, className: 'kv' },
  );
  const model = table(
    [],
    [
      ['Adapter', manifest.model.adapter],
      ['Embedding size', manifest.model.embeddingDim],
      ['Logit scale', manifest.model.logitScale],
      ...Object.entries(manifest.model.hashes).map(([name, hash]): [string, Html] => [`SHA-256 ${name}`, raw(`<code class="hash">${escapeHtml(hash)}</code>`)]),
    ],
    { rowHeaders: true, className: 'kv' },
  );
  const versions = table(['Package', 'Version'], Object.entries(manifest.versions), { rowHeaders: true, className: 'kv' });
  const t = manifest.timings;
  const timings = table(
    [],
    [
      ['Total', formatDuration(t.totalMs)],
      ['Loading', formatDuration(t.loadMs)],
      ['Attribution', formatDuration(t.attributionMs)],
      ['Rendering', formatDuration(t.renderMs)],
    ],
    { rowHeaders: true, className: 'kv', numeric: [1] },
  );
  const config = JSON.stringify(manifest.config, null, 2) ?? String(manifest.config);
  return raw(`<section class="about" id="about">
<h2>About this run</h2>
<div class="cards">
<section class="card"><h2>Run</h2>${run.html}</section>
<section class="card"><h2>Model</h2>${model.html}</section>
<section class="card"><h2>Versions</h2>${versions.html}</section>
<section class="card"><h2>Timings</h2>${timings.html}</section>
</div>
<details class="config"><summary>Configuration</summary><pre>${escapeHtml(config)}</pre></details>
</section>`);
}

/** `2026-11-29T16:22:14.290Z` → `2026-11-29 16:22:14 UTC`; anything unparsable as it is. */
function readableDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
