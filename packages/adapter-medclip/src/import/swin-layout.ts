/**
 * The static layout of a HuggingFace Swin at a fixed image size: stage resolutions, window sizes and shifts, the token
 * permutations that do padding + cyclic shift + window partition in one Gather, the shift masks and the gathered
 * relative position biases. Pure functions on numbers; no ONNX here.
 */

/** How one stage runs at a given image size. */
export interface StagePlan {
  /** Side of the (square) token map entering the stage. */
  readonly resolution: number;
  /** Window side actually used (the configured window, or the resolution when that is not larger). */
  readonly window: number;
  /** Shift of the odd blocks (0 when the whole map is one window). */
  readonly shift: number;
  /** Side after zero-padding to a multiple of the window. */
  readonly padded: number;
}

/**
 * Plans the stages as HF `SwinModel` runs them: the pixels are zero-padded to a multiple of the patch size, so the
 * first map is ⌈S/P⌉ wide; each patch merging halves it rounding up. A stage whose map is not wider than the window
 * uses window = resolution and no shift (`SwinLayer.set_shift_and_window_size`); otherwise the odd blocks shift by
 * ⌊w/2⌋ and the map is zero-padded to a multiple of w.
 * @param imageSize - the square input side S
 * @param patchSize - the patch size P
 * @param windowSize - the configured window w
 * @param stages - the number of stages
 * @returns one plan per stage
 * @throws RangeError when a stage's map is narrower than the window (HF's bias table, sized for w², cannot be added
 *   to the attention scores then)
 */
export function planStages(imageSize: number, patchSize: number, windowSize: number, stages: number): StagePlan[] {
  const plans: StagePlan[] = [];
  let r = Math.ceil(imageSize / patchSize);
  for (let i = 0; i < stages; i++) {
    if (r < windowSize) {
      throw new RangeError(`image size ${imageSize} gives a ${r}×${r} token map in stage ${i + 1}, smaller than the ${windowSize}×${windowSize} window (HF Swin cannot run it)`);
    }
    if (r === windowSize) plans.push({ resolution: r, window: r, shift: 0, padded: r });
    else plans.push({ resolution: r, window: windowSize, shift: Math.floor(windowSize / 2), padded: Math.ceil(r / windowSize) * windowSize });
    r = Math.ceil(r / 2);
  }
  return plans;
}

/** The shifted-map position (row, col) of windowed-order slot k: windows row-major, tokens row-major inside. */
function slotPosition(k: number, padded: number, w: number): [number, number] {
  const perSide = padded / w;
  const n = w * w;
  const win = Math.floor(k / n);
  const t = k % n;
  return [Math.floor(win / perSide) * w + Math.floor(t / w), (win % perSide) * w + (t % w)];
}

/**
 * Gather indices that take a `[B, R² + (Rp² − R²), C]` token list (the R×R map row-major, then Rp² − R² zero tokens)
 * to windowed order of the zero-padded map rolled by −shift: slot k holds the token at shifted position p, which is
 * the unshifted position (p + shift) mod Rp, a zero token when outside the R×R map. Every index occurs once.
 * @param resolution - R
 * @param padded - Rp, a multiple of `window`
 * @param window - w
 * @param shift - s (0 for none)
 * @returns Rp² indices
 */
export function partitionIndex(resolution: number, padded: number, window: number, shift: number): number[] {
  const out: number[] = [];
  let zero = resolution * resolution;
  for (let k = 0; k < padded * padded; k++) {
    const [pr, pc] = slotPosition(k, padded, window);
    const r = (pr + shift) % padded;
    const c = (pc + shift) % padded;
    out.push(r < resolution && c < resolution ? r * resolution + c : zero++);
  }
  return out;
}

/**
 * Gather indices back from windowed order to the R×R map (reverse shift, crop): token (r, c) sits at the shifted
 * position ((r − s) mod Rp, (c − s) mod Rp).
 * @param resolution - R
 * @param padded - Rp
 * @param window - w
 * @param shift - s
 * @returns R² indices into the Rp² windowed slots
 */
export function reverseIndex(resolution: number, padded: number, window: number, shift: number): number[] {
  const slotOf = new Map<number, number>();
  for (let k = 0; k < padded * padded; k++) {
    const [pr, pc] = slotPosition(k, padded, window);
    slotOf.set(pr * padded + pc, k);
  }
  const out: number[] = [];
  for (let r = 0; r < resolution; r++) {
    for (let c = 0; c < resolution; c++) {
      const pr = (((r - shift) % padded) + padded) % padded;
      const pc = (((c - shift) % padded) + padded) % padded;
      out.push(slotOf.get(pr * padded + pc)!);
    }
  }
  return out;
}

/** True when `index` is 0, 1, …, n − 1 (a Gather with it would be a no-op). */
export function isIdentity(index: readonly number[], n: number): boolean {
  return index.length === n && index.every((v, i) => v === i);
}

/**
 * The relative position bias of every (query, key) pair of a window, per head: `bias[h][i][j] = table[index[i][j]][h]`.
 * @param table - `[(2w−1)², heads]` row-major
 * @param index - `[w², w²]` row-major, validated
 * @param heads - the head count
 * @param n - w²
 * @returns `[heads, n, n]` row-major
 */
export function gatherBias(table: Float32Array, index: Int32Array, heads: number, n: number): Float32Array {
  const out = new Float32Array(heads * n * n);
  for (let h = 0; h < heads; h++) {
    for (let ij = 0; ij < n * n; ij++) out[h * n * n + ij] = table[index[ij]! * heads + h]!;
  }
  return out;
}

/**
 * HF's shift mask on the padded map: label the 3×3 regions [0, Rp−w), [Rp−w, Rp−s), [Rp−s, Rp) of rows and columns,
 * then −100 between tokens of a window whose labels differ, 0 otherwise.
 * @param padded - Rp
 * @param window - w
 * @param shift - s (> 0)
 * @returns `[nW, w², w²]` row-major
 */
export function shiftMask(padded: number, window: number, shift: number): Float32Array {
  const region = (v: number): number => (v < padded - window ? 0 : v < padded - shift ? 1 : 2);
  const n = window * window;
  const nW = (padded / window) ** 2;
  const out = new Float32Array(nW * n * n);
  const labels = new Int32Array(n);
  for (let win = 0; win < nW; win++) {
    for (let t = 0; t < n; t++) {
      const [pr, pc] = slotPosition(win * n + t, padded, window);
      labels[t] = 3 * region(pr) + region(pc);
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) out[(win * n + i) * n + j] = labels[i] === labels[j] ? 0 : -100;
    }
  }
  return out;
}

/**
 * Gather indices for patch merging: from a `[B, R² + extra, C]` token list (extra zero tokens when R is odd) to the
 * order (i, j, neighbour) with the neighbours (0,0), (1,0), (0,1), (1,1) as (row, col) offsets, so that a reshape to
 * `[B, R'², 4C]` concatenates them in HF's order. R' = ⌈R/2⌉; every index occurs once.
 * @param resolution - R
 * @returns 4·R'² indices
 */
export function mergeIndex(resolution: number): number[] {
  const half = Math.ceil(resolution / 2);
  const out: number[] = [];
  let zero = resolution * resolution;
  const offsets: readonly [number, number][] = [
    [0, 0],
    [1, 0],
    [0, 1],
    [1, 1],
  ];
  for (let i = 0; i < half; i++) {
    for (let j = 0; j < half; j++) {
      for (const [a, b] of offsets) {
        const r = 2 * i + a;
        const c = 2 * j + b;
        out.push(r < resolution && c < resolution ? r * resolution + c : zero++);
      }
    }
  }
  return out;
}
