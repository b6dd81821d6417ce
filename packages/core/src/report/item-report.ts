import type { RunItem } from '../manifest.js';

/** A method's report of one item, split for display. */
export interface SplitReport {
  /** Arrays of numbers with one entry per map row (IG's `convergenceDelta`, …): shown beside the scores. */
  readonly perRow: readonly (readonly [key: string, values: readonly number[]])[];
  /** Everything else (step counts, model calls, seeds, …). */
  readonly other: readonly (readonly [key: string, value: unknown])[];
}

/**
 * Splits an item's `report` into per-row numbers (an array of numbers as long as the item's labels) and the rest.
 *
 * @param item - a manifest item
 * @returns the two parts, each in the report's key order; both empty when the item has no report
 */
export function splitReport(item: RunItem): SplitReport {
  const perRow: [string, number[]][] = [];
  const other: [string, unknown][] = [];
  for (const [key, value] of Object.entries(item.report ?? {})) {
    if (Array.isArray(value) && value.length === item.labels.length && value.length > 0 && value.every((v) => typeof v === 'number')) {
      perRow.push([key, value as number[]]);
    } else {
      other.push([key, value]);
    }
  }
  return { perRow, other };
}
