import { distance } from 'fastest-levenshtein';

/**
 * The valid id closest to `given`, when it is close enough to be a likely typo: at most
 * max(2, ⌊length / 3⌋) edits away.
 * @param given - the id as written
 * @param valid - the ids that exist
 */
export function didYouMean(given: string, valid: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of valid) {
    const d = distance(given, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(2, Math.floor(given.length / 3)) ? best : undefined;
}

/**
 * The message for an id no plugin has: `unknown method 'oclusion'; did you mean 'occlusion'? (valid: a, b)`.
 * @param kind - what the id names, e.g. `method`
 * @param given - the id as written
 * @param valid - the ids that exist
 */
export function unknownIdMessage(kind: string, given: string, valid: readonly string[]): string {
  const suggestion = didYouMean(given, valid);
  const hint = suggestion === undefined ? '' : `; did you mean '${suggestion}'?`;
  const list = valid.length === 0 ? `no ${kind} is registered` : `valid: ${[...valid].sort().join(', ')}`;
  return `unknown ${kind} '${given}'${hint} (${list})`;
}
