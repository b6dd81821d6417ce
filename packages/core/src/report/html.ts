import { escapeHtml } from './escape.js';
import { formatNumber } from './format.js';

/** Markup that is already safe HTML (built by this module from escaped parts), as opposed to text. */
export interface Html {
  readonly html: string;
}

/**
 * Content of a table cell or element: text (escaped when rendered), a number (formatted with
 * {@link formatNumber}), or {@link Html} inserted as it is.
 */
export type Content = string | number | Html;

/**
 * Marks markup as safe HTML. Use only for markup built from {@link escapeHtml}d parts.
 *
 * @param html - the markup
 * @returns the marked markup
 */
export function raw(html: string): Html {
  return { html };
}

/**
 * Renders content as HTML: text escaped, numbers formatted, {@link Html} as it is.
 *
 * @param content - the content
 * @returns HTML
 */
export function render(content: Content): string {
  if (typeof content === 'number') return escapeHtml(formatNumber(content));
  if (typeof content === 'string') return escapeHtml(content);
  return content.html;
}

/** Options of {@link table}. */
export interface TableOptions {
  /** A class for the `<table>`. */
  readonly className?: string;
  /** Render the first cell of each row as a row header (`<th scope="row">`). */
  readonly rowHeaders?: boolean;
  /** Cells of these column indices are numbers, aligned right. */
  readonly numeric?: readonly number[];
}

/**
 * A table with one header row.
 *
 * @param head - the column headings
 * @param rows - the rows, one entry per column
 * @param options - class, row headers and numeric columns
 * @returns HTML
 */
export function table(head: readonly Content[], rows: readonly (readonly Content[])[], options: TableOptions = {}): Html {
  const cls = options.className ? ` class="${escapeHtml(options.className)}"` : '';
  const num = new Set(options.numeric ?? []);
  const cell = (c: Content, j: number) => {
    const attr = num.has(j) ? ' class="num"' : '';
    return j === 0 && options.rowHeaders ? `<th scope="row"${attr}>${render(c)}</th>` : `<td${attr}>${render(c)}</td>`;
  };
  const thead = head.length > 0 ? `<thead><tr>${head.map((h) => `<th scope="col">${render(h)}</th>`).join('')}</tr></thead>` : '';
  const tbody = `<tbody>${rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('\n')}</tbody>`;
  return raw(`<table${cls}>${thead}\n${tbody}</table>`);
}
