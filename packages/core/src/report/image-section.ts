import { escapeHtml } from './escape.js';
import { renderWords } from './words.js';
import { formatDuration, formatValue } from './format.js';
import { gridsByMethod, gridsByRow } from './grids.js';
import { raw, table, type Content, type Html } from './html.js';
import { splitReport } from './item-report.js';
import type { ReportImage, ReportTarget } from './layout.js';
import { relativeUrl } from './url.js';

/**
 * The anchor id of the section of the `index`-th image (0-based), for links from the table of contents.
 *
 * @param index - the image's position in the report
 * @returns e.g. `image-1`
 */
export function imageAnchor(index: number): string {
  return `image-${index + 1}`;
}

const ROW_HEADING = { dimensions: 'Dimension', embedding: 'Prompt', classifier: 'Class' } as const;
const KIND_NOTE = { dimensions: 'embedding dimensions', embedding: 'prompts fused with the image embedding', classifier: 'classifier (baseline)' } as const;

/** A link to a file of the run, showing its path. */
function fileLink(path: string): Html {
  return raw(`<a href="${escapeHtml(relativeUrl(path))}"><code>${escapeHtml(path)}</code></a>`);
}

/** The table of a target's rows: label, score, the methods' per-row numbers, and a class's prompts. */
function scoreTable(image: ReportImage, t: ReportTarget): string {
  const perRow = image.items
    .filter((i) => i.target === t.name)
    .flatMap((i) => splitReport(i).perRow.map(([key, values]) => ({ name: `${i.method}: ${key}`, values })));
  const prompts = t.kind === 'classifier' ? new Map(t.classes.map((c) => [c.name, c.prompts])) : undefined;
  const promptList = (label: string): Content => {
    const list = prompts?.get(label) ?? [];
    return list.length === 0 ? '—' : raw(`<ul class="prompts">${list.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul>`);
  };
  const head: Content[] = ['#', ROW_HEADING[t.kind], 'Score', ...perRow.map((p) => p.name), ...(prompts ? ['Prompts'] : [])];
  const rows = t.labels.map((label, k): Content[] => [
    k,
    label,
    t.scores[k] ?? '—',
    ...perRow.map((p) => p.values[k] ?? '—'),
    ...(prompts ? [promptList(label)] : []),
  ]);
  const numeric = [0, 2, ...perRow.map((_, j) => 3 + j)];
  return `<h4>Target <code>${escapeHtml(t.name)}</code> <span class="muted">(${escapeHtml(KIND_NOTE[t.kind])})</span></h4>${table(head, rows, { className: 'scores', numeric }).html}`;
}

/**
 * The section of one image, pictures first: the grid figures the run rendered (the paper's Fig. 1 and Fig. 2); the
 * overlays arranged twice, rows = prompts × columns = methods and rows = methods × columns = targets; the prompts'
 * words shaded by their token scores; then the tables: per target a table of its rows (prompt texts, classes with their prompts, or
 * dimensions) with the model's scores and the methods' per-row numbers (IG convergence deltas, …); a table of the
 * methods' runs (strategy, time, maps, other reported numbers) and of the stored per-dimension maps.
 *
 * @param image - the grouped image
 * @param index - its position in the report (0-based), for the anchor
 * @returns HTML (a `<section>` element)
 */
export function renderImageSection(image: ReportImage, index: number): Html {
  const runs = table(
    ['Method', 'Target', 'Strategy', 'Time', 'Maps', 'Reported'],
    image.items.map((i): Content[] => {
      const other = splitReport(i).other;
      const reported = other.length === 0 ? '—' : raw(`<ul class="reported">${other.map(([k, v]) => `<li><span class="key">${escapeHtml(k)}</span> ${escapeHtml(formatValue(v))}</li>`).join('')}</ul>`);
      return [i.method, i.target, i.strategy, formatDuration(i.milliseconds), fileLink(i.npy), reported];
    }),
    { className: 'runs', numeric: [3] },
  );
  const perDimension =
    image.perDimension.length === 0
      ? ''
      : `<h4>Per-dimension maps (strategy <code>jacobian</code>)</h4>${
          table(
            ['Method', 'Maps', 'Time'],
            image.perDimension.map((p): Content[] => [p.method, fileLink(p.npy), formatDuration(p.milliseconds)]),
            { className: 'runs', numeric: [2] },
          ).html
        }`;
  const figures =
    image.figures.length === 0
      ? ''
      : `<details open class="figures-of-run"><summary><h3>Figures (Fig. 1: baseline, methods × classes; Fig. 2: proposed, prompts × methods)</h3></summary><div class="figures">${image.figures
          .map((f) => {
            const src = escapeHtml(relativeUrl(f.png));
            const caption = escapeHtml(`Target ${f.target}: ${f.layout === 'methods-by-classes' ? 'rows = methods, columns = classes' : 'rows = target rows, columns = methods'} (${f.png})`);
            return `<figure class="extra"><a href="${src}"><img src="${src}" alt="${caption}"></a><figcaption>${caption}</figcaption></figure>`;
          })
          .join('\n')}</div></details>`;
  return raw(`<section class="image" id="${imageAnchor(index)}">
<h2>Image ${index + 1}: <code>${escapeHtml(image.image)}</code></h2>
${figures}
<details open><summary><h3>Overlays: rows = prompts (or classes, dimensions), columns = methods</h3></summary>
${gridsByRow(image).html}
</details>
<details open><summary><h3>Overlays: rows = methods, columns = targets</h3></summary>
${gridsByMethod(image).html}
</details>
${renderWords(image.items).html}
<h3>Scores</h3>
${image.targets.map((t) => scoreTable(image, t)).join('\n')}
<h3>Methods</h3>
${runs.html}
${perDimension}
</section>`);
}
