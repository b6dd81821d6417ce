/**
 * PIL's separable resampling (`Image.resize`, libImaging `ImagingResample`) for one-channel images, reproduced
 * operation for operation so results match PIL exactly: the 8-bit path with its 22-bit fixed-point weights and
 * per-pass rounding, and the float (`'F'` mode) path with double accumulation stored as float32.
 *
 * For every output pixel the filter is centred at `(i + 0.5) · scale` on the input, stretched by
 * `max(scale, 1)` when downscaling (so it antialiases), sampled at input pixel centres and normalised to sum 1.
 * The horizontal pass runs first, then the vertical one; a pass whose size does not change is skipped.
 */

/**
 * A resampling filter of PIL's `ImagingResample`: `BICUBIC` (Keys cubic, a = −0.5, support 2), `BILINEAR` (triangle,
 * support 1), `BOX` (support ½), `HAMMING` (Hamming-windowed sinc, support 1) or `LANCZOS` (sinc windowed by sinc,
 * support 3). PIL's `NEAREST` is not a resampling filter (PIL takes another path for it).
 */
export type ResampleFilter = 'bicubic' | 'bilinear' | 'box' | 'hamming' | 'lanczos';

/** sin(πx)/(πx), 1 at 0 (PIL's `sinc_filter`). */
function sinc(x: number): number {
  if (x === 0) return 1;
  const px = x * Math.PI;
  return Math.sin(px) / px;
}

interface Kernel {
  readonly support: number;
  readonly weight: (x: number) => number;
}

const KERNELS: Record<ResampleFilter, Kernel> = {
  bicubic: {
    support: 2,
    weight: (x) => {
      const a = -0.5;
      if (x < 0) x = -x;
      if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
      if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
      return 0;
    },
  },
  bilinear: {
    support: 1,
    weight: (x) => {
      if (x < 0) x = -x;
      return x < 1 ? 1 - x : 0;
    },
  },
  box: { support: 0.5, weight: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  hamming: {
    support: 1,
    weight: (x) => {
      if (x < 0) x = -x;
      if (x === 0) return 1;
      if (x >= 1) return 0;
      const px = x * Math.PI;
      return (Math.sin(px) / px) * (0.54 + 0.46 * Math.cos(px));
    },
  },
  lanczos: { support: 3, weight: (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
};

/** The taps of a 1-D resampling: for output `i`, input pixels `first[i] … first[i] + count[i] − 1` with weights. */
export interface Taps {
  /** Weights per output pixel, `stride` apart; only the first `count[i]` of each row are used. */
  readonly weights: Float64Array;
  readonly first: Int32Array;
  readonly count: Int32Array;
  readonly stride: number;
}

/**
 * The normalised filter taps for resampling `inSize` pixels to `outSize` (PIL's `precompute_coeffs`).
 *
 * @param inSize - input length in pixels
 * @param outSize - output length in pixels
 * @param filter - the filter
 */
export function taps(inSize: number, outSize: number, filter: ResampleFilter): Taps {
  const kernel = KERNELS[filter];
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = kernel.support * filterScale;
  const stride = Math.ceil(support) * 2 + 1;
  const weights = new Float64Array(outSize * stride);
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const inv = 1 / filterScale;
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    // C's (int) cast truncates toward zero.
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    let sum = 0;
    for (let x = 0; x < hi - lo; x++) {
      const w = kernel.weight((x + lo - center + 0.5) * inv);
      weights[i * stride + x] = w;
      sum += w;
    }
    if (sum !== 0) for (let x = 0; x < hi - lo; x++) weights[i * stride + x]! /= sum;
    first[i] = lo;
    count[i] = hi - lo;
  }
  return { weights, first, count, stride };
}

const PRECISION_BITS = 32 - 8 - 2;

/** PIL's `normalize_coeffs_8bpc`: weights as integers scaled by 2^22, rounded half away from zero. */
function fixedPoint(t: Taps): Int32Array {
  const out = new Int32Array(t.weights.length);
  for (let i = 0; i < out.length; i++) {
    const w = t.weights[i]! * (1 << PRECISION_BITS);
    out[i] = Math.trunc(w < 0 ? w - 0.5 : w + 0.5);
  }
  return out;
}

function clip8(acc: number): number {
  const v = acc >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * One pass along rows (`horizontal`) or columns: for each output pixel, `start` plus the taps' weighted input pixels,
 * stored through `finish`.
 */
function pass<P extends Uint8Array | Float32Array>(
  src: P,
  width: number,
  height: number,
  t: Taps,
  horizontal: boolean,
  weights: ArrayLike<number>,
  start: number,
  finish: (acc: number) => number,
  make: (n: number) => P,
): P {
  const outW = horizontal ? t.first.length : width;
  const outH = horizontal ? height : t.first.length;
  const out = make(outW * outH);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const i = horizontal ? x : y;
      const lo = t.first[i]!;
      const n = t.count[i]!;
      const base = i * t.stride;
      let acc = start;
      if (horizontal) {
        const row = y * width + lo;
        for (let j = 0; j < n; j++) acc += src[row + j]! * weights[base + j]!;
      } else {
        for (let j = 0; j < n; j++) acc += src[(lo + j) * width + x]! * weights[base + j]!;
      }
      out[y * outW + x] = finish(acc);
    }
  }
  return out;
}

/** One 8-bit pass, PIL's `ImagingResample{Horizontal,Vertical}_8bpc`: 22-bit fixed-point weights, rounded, clipped. */
function pass8(src: Uint8Array, width: number, height: number, t: Taps, horizontal: boolean): Uint8Array {
  return pass(src, width, height, t, horizontal, fixedPoint(t), 1 << (PRECISION_BITS - 1), clip8, (n) => new Uint8Array(n));
}

/** One float pass, PIL's `ImagingResample{Horizontal,Vertical}_32bpc` for `'F'` images: double sums stored as float32. */
function passFloat(src: Float32Array, width: number, height: number, t: Taps, horizontal: boolean): Float32Array {
  return pass(src, width, height, t, horizontal, t.weights, 0, (acc) => acc, (n) => new Float32Array(n));
}

function checkSizes(length: number, width: number, height: number, outWidth: number, outHeight: number): void {
  if (length !== width * height) throw new RangeError(`resample: ${width}×${height} image needs ${width * height} pixels, got ${length}`);
  for (const v of [width, height, outWidth, outHeight]) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`resample: sizes must be positive integers, got ${width}×${height} → ${outWidth}×${outHeight}`);
    }
  }
}

/** PIL's order of passes: horizontal first, then vertical, each skipped when its size does not change. */
function separable<P extends Uint8Array | Float32Array>(
  src: P,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
  filter: ResampleFilter,
  pass: (img: P, width: number, height: number, t: Taps, horizontal: boolean) => P,
): P {
  checkSizes(src.length, width, height, outWidth, outHeight);
  let img = src;
  if (outWidth !== width) img = pass(img, width, height, taps(width, outWidth, filter), true);
  if (outHeight !== height) img = pass(img, outWidth, height, taps(height, outHeight, filter), false);
  return img === src ? (src.slice() as P) : img;
}

/**
 * Resizes an 8-bit one-channel image (row-major) exactly as PIL's `Image.resize` of an `'L'` image.
 *
 * @param src - `width · height` grey levels
 * @param width - input width
 * @param height - input height
 * @param outWidth - output width
 * @param outHeight - output height
 * @param filter - the filter
 * @returns `outWidth · outHeight` grey levels (a copy when the size does not change)
 */
export function resampleU8(
  src: Uint8Array,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
  filter: ResampleFilter,
): Uint8Array {
  return separable(src, width, height, outWidth, outHeight, filter, pass8);
}

/**
 * Resizes a float one-channel image (row-major) exactly as PIL's `Image.resize` of an `'F'` image
 * (double accumulation, float32 storage after each pass, no clipping).
 *
 * @param src - `width · height` values
 * @param width - input width
 * @param height - input height
 * @param outWidth - output width
 * @param outHeight - output height
 * @param filter - the filter
 * @returns `outWidth · outHeight` values (a copy when the size does not change)
 */
export function resampleFloat(
  src: Float32Array,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
  filter: ResampleFilter,
): Float32Array {
  return separable(src, width, height, outWidth, outHeight, filter, passFloat);
}
