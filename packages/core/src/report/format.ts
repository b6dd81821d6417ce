/**
 * A number for a report: integers as they are, others with four significant digits, and very small or very large
 * ones in exponent notation (so convergence deltas like `1.13e-5` stay readable).
 *
 * @param x - the number
 * @returns its text; `NaN`, `Infinity` and `-Infinity` as those words
 */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return x.toExponential(3).replace(/\.?0+e/, 'e');
  return String(Number(x.toPrecision(4)));
}

/**
 * A duration for a report: milliseconds below one second, seconds (one decimal) below two minutes, minutes and
 * seconds above.
 *
 * @param ms - the duration in milliseconds
 * @returns e.g. `850 ms`, `23.0 s`, `4 min 05 s`
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/**
 * Any value of a method's report as plain (not yet escaped) text: numbers with {@link formatNumber}, arrays as
 * comma-separated lists in brackets, objects as `key: value` pairs in braces, everything else with `String`.
 *
 * @param value - the value
 * @returns its text
 */
export function formatValue(value: unknown): string {
  if (typeof value === 'number') return formatNumber(value);
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}: ${formatValue(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}
