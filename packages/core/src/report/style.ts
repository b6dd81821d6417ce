/**
 * The report's style sheet, inlined into the page (the report loads nothing but its own PNGs). Light, print-friendly,
 * overlays at 168 px (links open them at full size).
 */
export const REPORT_CSS = `
:root { color-scheme: light; --fg: #1d2430; --muted: #5b6577; --line: #d6dbe3; --bg: #f6f7f9; --card: #fff; --accent: #2f5d9e; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: var(--bg); }
h1 { margin: 0; font-size: 26px; }
h2 { font-size: 20px; margin: 0 0 12px; }
h3 { font-size: 16px; margin: 20px 0 8px; }
h4 { font-size: 14px; margin: 14px 0 6px; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
a { color: var(--accent); }
.subtitle { margin: 4px 0 16px; color: var(--muted); overflow-wrap: anywhere; }
.cards { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.card, section.image, section.extras, section.about, nav.toc { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 18px; }
.card h2 { font-size: 15px; margin-bottom: 8px; }
section.image, section.extras, section.about, nav.toc { margin-top: 20px; }
nav.toc ol { margin: 4px 0 0; padding-left: 22px; }
nav.toc li { margin: 2px 0; }
table { border-collapse: collapse; }
th, td { padding: 3px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--line); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.kv th { font-weight: 600; color: var(--muted); white-space: nowrap; }
code.hash { font-size: 11px; overflow-wrap: anywhere; }
details.config { margin-top: 16px; }
details.config pre { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 10px; max-height: 420px; overflow: auto; }
summary { cursor: pointer; }
summary h3 { display: inline-block; }
ul.reported, ul.prompts { list-style: none; margin: 0; padding: 0; }
ul.reported .key { color: var(--muted); }
.grids { display: flex; flex-wrap: wrap; gap: 0 28px; align-items: flex-start; }
.scroll { overflow-x: auto; margin-bottom: 14px; max-width: 100%; }
table.grid caption { caption-side: top; text-align: left; padding: 4px 0 6px; color: var(--muted); }
table.grid th, table.grid td { border: 1px solid var(--line); padding: 4px; }
table.grid thead th { text-align: center; background: var(--bg); }
table.grid tbody th { max-width: 200px; background: var(--bg); font-weight: 600; }
table.grid th .label { display: block; overflow-wrap: anywhere; }
table.grid th .score { display: block; font-weight: 400; color: var(--muted); font-size: 12px; }
table.grid thead th .label { font-weight: 400; font-size: 12px; display: block; max-width: 168px; margin: 0 auto; }
table.grid .corner { color: var(--muted); font-weight: 400; font-size: 12px; }
td.missing { color: var(--muted); text-align: center; vertical-align: middle; }
figure { margin: 0; width: 168px; }
figure img { display: block; width: 168px; height: auto; image-rendering: auto; background: #000; }
figcaption { font-size: 11px; color: var(--muted); margin-top: 3px; overflow-wrap: anywhere; }
.figures { display: flex; flex-wrap: wrap; gap: 16px; }
figure.extra, figure.extra img { width: auto; max-width: 100%; }
figure.extra figcaption { font-size: 13px; color: var(--fg); }
.muted { color: var(--muted); }
footer { margin-top: 24px; color: var(--muted); font-size: 12px; }
@media print { body { background: #fff; padding: 0; } .scroll { overflow: visible; } details > :not(summary) { display: block; } }
`;
