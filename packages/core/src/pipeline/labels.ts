/**
 * A file-name-safe label for a text or a name: lower case, runs of other characters turned into `-`, at most
 * `max` characters.
 */
export function slug(text: string, max = 48): string {
  const s = text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
  return s.length > 0 ? s : 'item';
}

/** Names made unique by suffixing `-2`, `-3`, … to repeats, in order. */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const count = (seen.get(n) ?? 0) + 1;
    seen.set(n, count);
    return count === 1 ? n : `${n}-${count}`;
  });
}
