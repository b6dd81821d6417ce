import type { RunItem } from '../manifest.js';
import { escapeHtml } from './escape.js';
import { raw, type Html } from './html.js';

/**
 * The background of a word with score `score` when the largest magnitude is `max`, as Captum's `visualize_text`
 * shades text: green for positive, red for negative, stronger with the magnitude.
 */
export function wordShade(score: number, max: number): string {
  const strength = max > 0 ? Math.min(1, Math.abs(score) / max) : 0;
  const lightness = Math.round(100 - 50 * strength);
  return `hsl(${score >= 0 ? 120 : 0}, 75%, ${lightness}%)`;
}

/**
 * The prompts of the items with token attributions (`explain: text`), each word shaded by its score (its value in
 * the title), one block per method and target.
 */
export function renderWords(items: readonly RunItem[]): Html {
  const blocks = items
    .filter((i) => i.words !== undefined && i.words.length > 0)
    .map((i) => {
      const max = Math.max(...i.words!.flatMap((p) => p.words.map((w) => Math.abs(w.score))));
      const lines = i.words!.map(
        (p) =>
          `<p class="words">${p.words.map((w) => `<span style="background:${wordShade(w.score, max)}" title="${escapeHtml(w.score.toPrecision(4))}">${escapeHtml(w.word)}</span>`).join(' ')}</p>`,
      );
      return `<h4>${escapeHtml(i.method)} · ${escapeHtml(i.target)}</h4>\n${lines.join('\n')}`;
    });
  if (blocks.length === 0) return raw('');
  return raw(`<details open><summary><h3>Words: which tokens drive each prompt's score (green raises it, red lowers it)</h3></summary>
${blocks.join('\n')}
</details>`);
}
