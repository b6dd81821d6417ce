import { escapeHtml, type RunManifest } from '@envision/core';

/**
 * The explorer's own rules, served after the report's style sheet (`REPORT_CSS`) in one file, so the explorer and the
 * static report look alike.
 */
export const EXPLORER_CSS = `
.explorer { display: grid; grid-template-columns: 220px 1fr; gap: 20px; align-items: start; margin-top: 16px; }
.explorer nav.images { position: sticky; top: 12px; }
.explorer nav.images button { display: block; width: 100%; text-align: left; margin: 2px 0; padding: 5px 8px; border: 1px solid var(--line); border-radius: 6px; background: var(--card); cursor: pointer; overflow-wrap: anywhere; font: inherit; }
.explorer nav.images button[aria-pressed="true"] { border-color: var(--accent); background: #eaf0f9; font-weight: 600; }
.pair { display: flex; flex-wrap: wrap; gap: 0 20px; align-items: flex-start; }
.pair > section { flex: 1 1 420px; min-width: 0; }
.controls { display: flex; flex-wrap: wrap; gap: 8px 18px; align-items: center; margin-bottom: 10px; }
.controls label { color: var(--muted); }
.prompts-box { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-bottom: 6px; }
.prompts-box input { width: 240px; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; font: inherit; }
button.small { padding: 4px 10px; border: 1px solid var(--line); border-radius: 6px; background: var(--card); cursor: pointer; font: inherit; }
.status { min-height: 1.4em; color: var(--muted); font-size: 12px; }
.status.error { color: #a11; }
table.grid td.live img { outline: 2px solid transparent; }
.why { max-width: 640px; color: var(--muted); font-size: 12.5px; }
progress { width: 180px; vertical-align: middle; }
.words span { padding: 1px 3px; border-radius: 3px; margin-right: 2px; }
`;

/**
 * The explorer's page: a shell whose content the script (`/explorer.js`) builds from `/api/run`. No inline script or
 * style (the content security policy forbids both).
 *
 * @param manifest - the run's manifest (for the title)
 * @returns the HTML document
 */
export function explorerPage(manifest: RunManifest): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Envision">
<title>Envision explorer: ${escapeHtml(manifest.configFile)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/explorer.css">
<script src="/explorer.js" defer></script>
</head>
<body>
<header>
<h1>Envision explorer</h1>
<p class="subtitle"><code>${escapeHtml(manifest.configFile)}</code> · model <code>${escapeHtml(manifest.model.adapter)}</code> · type a prompt to see where the model finds it</p>
</header>
<div class="explorer">
<nav class="images card" aria-label="Images"><h2>Images</h2><div id="images"></div></nav>
<main id="main"><p class="muted">Loading the run…</p></main>
</div>
<footer>Envision explorer on 127.0.0.1. Live maps: one text encoding and one matrix product over the stored per-dimension maps.</footer>
</body>
</html>
`;
}
