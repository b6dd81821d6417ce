/**
 * Geometry of Occlusion's sliding windows, as Captum places them: along each dimension d, window j starts at
 * j·stride[d] for j = 0 … ⌈(size[d] − window[d]) / stride[d]⌉, and a window that runs past the end is cut off at
 * the boundary (not shifted back).
 */
export interface WindowGrid {
  /** Input shape after the batch axis. */
  readonly size: readonly number[];
  readonly window: readonly number[];
  readonly strides: readonly number[];
  /** Number of window positions along each dimension. */
  readonly counts: readonly number[];
  /** Total number of windows (the product of `counts`). */
  readonly total: number;
}

/**
 * Builds the window grid, checking the window and strides against the input (Captum's checks).
 * @returns the grid, or a message saying what is wrong
 */
export function windowGrid(size: readonly number[], window: readonly number[], strides: readonly number[]): WindowGrid | string {
  if (window.length !== size.length) {
    return `window must have ${size.length} items (one per input dimension after the batch, input shape [${size.join(', ')}]), got ${window.length}`;
  }
  if (strides.length !== size.length) return `strides must have ${size.length} items, got ${strides.length}`;
  const counts: number[] = [];
  for (let d = 0; d < size.length; d++) {
    const [n, w, s] = [size[d]!, window[d]!, strides[d]!];
    if (w > n) return `window[${d}] = ${w} is larger than the input dimension ${n}`;
    if (s > w && w !== n) return `strides[${d}] = ${s} is larger than window[${d}] = ${w}, which would leave elements uncovered`;
    counts.push(Math.ceil((n - w) / s) + 1);
  }
  return { size, window, strides, counts, total: counts.reduce((a, b) => a * b, 1) };
}

/** Start and end (exclusive) of window `index` along every dimension, clipped to the input. */
export function windowBox(grid: WindowGrid, index: number): { start: number[]; end: number[] } {
  const start: number[] = [];
  const end: number[] = [];
  let rest = index;
  for (let d = grid.size.length - 1; d >= 0; d--) {
    const j = rest % grid.counts[d]!;
    rest = Math.floor(rest / grid.counts[d]!);
    start[d] = j * grid.strides[d]!;
    end[d] = Math.min(start[d]! + grid.window[d]!, grid.size[d]!);
  }
  return { start, end };
}

/** Calls `visit(flatIndex)` for every element of the box, in C order. */
export function forEachInBox(size: readonly number[], start: readonly number[], end: readonly number[], visit: (flat: number) => void): void {
  const rank = size.length;
  const stridesC = new Array<number>(rank);
  let acc = 1;
  for (let d = rank - 1; d >= 0; d--) {
    stridesC[d] = acc;
    acc *= size[d]!;
  }
  if (start.some((s, d) => s >= end[d]!)) return;
  const last = rank - 1;
  const idx = [...start];
  for (;;) {
    let base = 0;
    for (let d = 0; d < last; d++) base += idx[d]! * stridesC[d]!;
    for (let i = start[last]!; i < end[last]!; i++) visit(base + i);
    let d = last - 1;
    while (d >= 0) {
      idx[d]!++;
      if (idx[d]! < end[d]!) break;
      idx[d] = start[d]!;
      d--;
    }
    if (d < 0) return;
  }
}
