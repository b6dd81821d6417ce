/**
 * Escapes text for HTML: `&`, `<`, `>`, `"` and `'` become character references, so the result is safe both as
 * element content and inside a double- or single-quoted attribute value. Every piece of text that comes from a
 * manifest (prompt texts, labels, file names, config values) goes through this before it is put into a report.
 *
 * @param text - any text; a non-string is converted with `String` first
 * @returns the escaped text
 */
export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
