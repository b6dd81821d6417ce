/**
 * The values sorted ascending, as `Float64Array.from(values).sort()` sorts them (−0 sorted as 0).
 *
 * Non-negative values that float32 holds exactly (every magnitude of a float32 attribution map) are sorted by an LSD
 * radix sort of their float32 bit patterns, which order as unsigned integers: four counting passes, about twice as
 * fast as the comparison sort on a 224² map. Any other input (negative, NaN, or beyond float32) takes the native sort.
 *
 * @param values - the values to sort
 * @returns a new array of them, ascending
 */
export function sortAscending(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const keys = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!(v >= 0) || Math.fround(v) !== v) return Float64Array.from(values).sort();
    keys[i] = v + 0; // (−0 + 0 is +0)
  }
  let from = new Uint32Array(keys.buffer);
  let to = new Uint32Array(n);
  const starts = new Uint32Array(256);
  for (let shift = 0; shift < 32; shift += 8) {
    starts.fill(0);
    for (let i = 0; i < n; i++) starts[(from[i]! >>> shift) & 255]!++;
    let sum = 0;
    for (let digit = 0; digit < 256; digit++) {
      const count = starts[digit]!;
      starts[digit] = sum;
      sum += count;
    }
    for (let i = 0; i < n; i++) {
      const key = from[i]!;
      to[starts[(key >>> shift) & 255]!++] = key;
    }
    [from, to] = [to, from];
  }
  return Float64Array.from(new Float32Array(from.buffer));
}
