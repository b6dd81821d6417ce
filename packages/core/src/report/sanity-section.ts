import type { SanityResult } from '../sanity/result.js';
import { escapeHtml } from './escape.js';
import { raw, table, type Content, type Html } from './html.js';
import { relativeUrl } from './url.js';

/** The anchor of the sanity section. */
export const SANITY_ANCHOR = 'sanity';

/**
 * The sanity checks of a run folder (`sanity.json`): per method, a table of the similarity of each step's maps with
 * the original maps, and the figure of the map as layers are randomised.
 * @param result - the sanity check
 * @param runDir - the run folder, to make figure paths relative
 * @returns HTML (a `<section>`)
 */
export function renderSanitySection(result: SanityResult, runDir: string): Html {
  const measures = result.settings.similarity;
  const s = result.settings;
  const intro = `Model-parameter randomisation (Adebayo et al. 2018): the vision model's weights are replaced with seeded random values (seed ${s.seed}), from the output down, ${
    s.steps === 'both' ? 'cumulatively (cascading) and one layer at a time (independent)' : s.steps === 'cascading' ? 'cumulatively (cascading)' : 'one layer at a time (independent)'
  }, over ${result.model.randomised} of the model's ${result.model.layers.length} layers; each map is compared with the trained model's map (Spearman of absolute values, SSIM of absolute maps scaled to [0, 1]; the mean over the target's rows). A map that barely changes explains the image rather than the model. Image ${result.image}, target ${result.target}; computed ${result.createdAt}.`;
  const layerName = new Map(result.model.layers.map((l) => [l.rank, l.name]));
  const methods = result.methods.map((m) => {
    const rows = m.steps.map((step): Content[] => {
      const reached = step.layers.length === 0 ? '—' : step.kind === 'cascading' ? `1–${step.layers.length} (down to ${layerName.get(step.layers.length) ?? '?'})` : `${step.layers[0]} (${layerName.get(step.layers[0]!) ?? '?'})`;
      return [step.label, reached, ...measures.map((k) => step.similarity[k] ?? '—')];
    });
    const src = escapeHtml(relativeUrl(m.figure, runDir));
    const caption = escapeHtml(`${m.method}: |map| of ${result.labels[0] ?? 'row 1'} as layers are randomised`);
    return `<h3>${escapeHtml(m.method)} <span class="muted">(${escapeHtml(m.id)}, ${escapeHtml(m.strategy)})</span></h3>
${table(['step', 'layers randomised', ...measures], rows, { rowHeaders: true, className: 'metrics', numeric: measures.map((_, j) => j + 2) }).html}
<figure class="extra"><a href="${src}"><img src="${src}" alt="${caption}"></a><figcaption>${caption}</figcaption></figure>`;
  });
  return raw(`<section class="extras" id="${SANITY_ANCHOR}">
<h2>Sanity checks</h2>
<p>${escapeHtml(intro)}</p>
${methods.join('\n')}
</section>`);
}
