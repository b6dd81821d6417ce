import { escapeHtml } from './escape.js';
import { formatNumber } from './format.js';
import { raw, type Html } from './html.js';
import type { ReportImage, ReportOverlay, ReportTargetKind } from './layout.js';
import { relativeUrl } from './url.js';

/**
 * The caption of an overlay: method, row label, sign and score, as plain (not yet escaped) text.
 *
 * @param o - the overlay
 * @returns e.g. `ig · Cardiomegaly · positive · score -0.1166`
 */
export function overlayCaption(o: ReportOverlay): string {
  return [o.method, o.label, o.sign, ...(o.score === undefined ? [] : [`score ${formatNumber(o.score)}`])].join(' · ');
}

/**
 * One overlay as a `<figure>`: the image (a link to itself at full size) and its caption.
 *
 * @param o - the overlay
 * @returns HTML
 */
export function overlayFigure(o: ReportOverlay): Html {
  const src = escapeHtml(relativeUrl(o.path));
  const caption = escapeHtml(overlayCaption(o));
  return raw(
    `<figure><a href="${src}"><img src="${src}" alt="${caption}" title="${escapeHtml(o.path)}"></a><figcaption>${caption}</figcaption></figure>`,
  );
}

const empty = '<td class="missing">—</td>';

/**
 * The overlays of an image arranged like Fig. 2 of the paper: per target and sign a grid whose rows are the map rows
 * (prompts or dimensions, with their scores) and whose columns are the methods.
 *
 * @param image - the grouped image
 * @returns HTML (per target a `div.grids` with one `<table>` per sign, side by side where they fit)
 */
export function gridsByRow(image: ReportImage): Html {
  const groups = image.targets.map((t) =>
    image.signs.map((sign) => {
      const head = `<tr><th scope="col" class="corner">${escapeHtml(t.name)} \\ method</th>${image.methods.map((m) => `<th scope="col">${escapeHtml(m)}</th>`).join('')}</tr>`;
      const rows = t.labels.map((label, k) => {
        const score = t.scores[k];
        const th = `<th scope="row"><span class="label">${escapeHtml(label)}</span>${score === undefined ? '' : `<span class="score">score ${escapeHtml(formatNumber(score))}</span>`}</th>`;
        const cells = image.methods.map((m) => {
          const o = image.overlay(m, t.name, k, sign);
          return o ? `<td>${overlayFigure(o).html}</td>` : empty;
        });
        return `<tr>${th}${cells.join('')}</tr>`;
      });
      return `<div class="scroll"><table class="grid"><caption>Target <b>${escapeHtml(t.name)}</b>, sign <b>${escapeHtml(sign)}</b>: rows = ${rowWord(t.kind)}, columns = methods</caption>
<thead>${head}</thead>
<tbody>${rows.join('\n')}</tbody></table></div>`;
    }),
  );
  return raw(groups.map((tables) => `<div class="grids">\n${tables.join('\n')}\n</div>`).join('\n'));
}

/**
 * The overlays of an image arranged like Fig. 1 of the paper: per sign a grid whose rows are the methods and whose
 * columns are the targets (one column per row of each target, grouped under the target's name).
 *
 * @param image - the grouped image
 * @returns HTML (a `div.grids` with one `<table>` per sign, side by side where they fit)
 */
export function gridsByMethod(image: ReportImage): Html {
  const tables = image.signs.map((sign) => {
    const top = `<tr><th scope="col" rowspan="2" class="corner">method \\ target</th>${image.targets
      .map((t) => `<th scope="colgroup" colspan="${t.labels.length}">${escapeHtml(t.name)}</th>`)
      .join('')}</tr>`;
    const sub = `<tr>${image.targets.flatMap((t) => t.labels.map((l) => `<th scope="col"><span class="label">${escapeHtml(l)}</span></th>`)).join('')}</tr>`;
    const rows = image.methods.map((m) => {
      const cells = image.targets.flatMap((t) =>
        t.labels.map((_, k) => {
          const o = image.overlay(m, t.name, k, sign);
          return o ? `<td>${overlayFigure(o).html}</td>` : empty;
        }),
      );
      return `<tr><th scope="row">${escapeHtml(m)}</th>${cells.join('')}</tr>`;
    });
    return `<div class="scroll"><table class="grid"><caption>Sign <b>${escapeHtml(sign)}</b>: rows = methods, columns = targets</caption>
<thead>${top}\n${sub}</thead>
<tbody>${rows.join('\n')}</tbody></table></div>`;
  });
  return raw(`<div class="grids">\n${tables.join('\n')}\n</div>`);
}

/**
 * What the rows of a target of this kind are, in words.
 *
 * @param kind - the target's kind
 * @returns `embedding dimensions`, `prompts` or `classes`
 */
export function rowWord(kind: ReportTargetKind): string {
  return kind === 'dimensions' ? 'embedding dimensions' : kind === 'classifier' ? 'classes' : 'prompts';
}
