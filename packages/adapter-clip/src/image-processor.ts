import { join } from 'node:path';
import { EnvisionError, type Tensor } from '@envision/core';
import { DEFAULT_LIMIT_INPUT_PIXELS, type RgbImage, type ResampleFilter, type Size, centerCropRgb, decodeRgb, normalizeRgb, resizeRgb, shortestEdgeSize } from '@envision/image';
import { field, isBoolean, isFiniteNumber, isPositiveInteger, isTriple } from './json-file.js';

/** How an image becomes `pixel_values`: the steps of a CLIP-family image processor, resolved from its config. */
export interface ImageProcessorSpec {
  /** Where the settings came from, for messages. */
  readonly source: string;
  /** Resize: to a shortest edge (aspect kept) or to an exact size (squash); none when undefined. */
  readonly resize?: { readonly shortestEdge: number } | Size;
  readonly filter: ResampleFilter;
  /** Center crop to this size; none when undefined. */
  readonly crop?: Size;
  /**
   * How the crop's top-left corner is placed: `floor` ((H − h) // 2, transformers) or `round` (round-half-even of
   * (H − h) / 2, torchvision's CenterCrop used by open_clip).
   */
  readonly cropOffset: 'floor' | 'round';
  /** Multiplies levels first (transformers: float64 product), or divides by 255 in float32 (torchvision's ToTensor). */
  readonly rescale: { readonly factor: number } | 'divide-255' | 'none';
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

/** OpenAI CLIP's normalisation, transformers' default for CLIPImageProcessor. */
export const OPENAI_MEAN: readonly [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
/** OpenAI CLIP's standard deviations. */
export const OPENAI_STD: readonly [number, number, number] = [0.26862954, 0.26130258, 0.27577711];

/** PIL's resampling codes, as transformers configs store them. */
const PIL_FILTERS: Readonly<Record<number, ResampleFilter>> = { 1: 'lanczos', 2: 'bilinear', 3: 'bicubic', 4: 'box', 5: 'hamming' };

/** The image processor types whose steps are CLIP's (resize the shortest edge, center crop) or SigLIP's (squash). */
const CLIP_PROCESSORS = new Set(['CLIPImageProcessor', 'CLIPFeatureExtractor', 'ChineseCLIPImageProcessor', 'ChineseCLIPFeatureExtractor']);
const SIGLIP_PROCESSORS = new Set(['SiglipImageProcessor']);

function sizeField(file: string, config: Record<string, unknown>, key: string, square: boolean): { shortestEdge: number } | Size | undefined {
  const v = config[key];
  if (v === undefined) return undefined;
  if (isPositiveInteger(v)) return square ? { width: v, height: v } : { shortestEdge: v };
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    if (isPositiveInteger(o['shortest_edge']) && Object.keys(o).length === 1) return { shortestEdge: o['shortest_edge'] };
    if (isPositiveInteger(o['height']) && isPositiveInteger(o['width'])) return { width: o['width'], height: o['height'] };
  }
  throw new EnvisionError('E_BUNDLE', `${file}: ${key} must be an integer, {"shortest_edge": n} or {"height": h, "width": w}, got ${JSON.stringify(v)}`);
}

/**
 * The steps of a transformers image processor from its `preprocessor_config.json`: `CLIPImageProcessor` (and
 * Chinese-CLIP's) — RGB, resize the shortest edge, center crop, rescale, normalise — or `SiglipImageProcessor` — RGB,
 * squash resize, rescale, normalise — with transformers' defaults for fields the file leaves out.
 *
 * @throws EnvisionError `E_BUNDLE` naming the file and field for an unknown processor type, an unsupported filter
 *   (PIL's NEAREST) or a malformed value
 */
export function processorFromConfig(file: string, config: Record<string, unknown>): ImageProcessorSpec {
  const type = config['image_processor_type'] ?? config['feature_extractor_type'];
  const clip = typeof type === 'string' && CLIP_PROCESSORS.has(type.replace(/Fast$/, ''));
  const siglip = typeof type === 'string' && SIGLIP_PROCESSORS.has(type.replace(/Fast$/, ''));
  if (!clip && !siglip) {
    throw new EnvisionError('E_BUNDLE', `${file}: image_processor_type ${JSON.stringify(type)} is not one this adapter reproduces (${[...CLIP_PROCESSORS, ...SIGLIP_PROCESSORS].join(', ')})`);
  }
  const resample = field(file, config, 'resample', (v): v is number => Number.isSafeInteger(v), `a PIL filter code (${Object.entries(PIL_FILTERS).map(([k, v]) => `${k} ${v}`).join(', ')})`, clip ? 3 : 2);
  const filter = PIL_FILTERS[resample];
  if (filter === undefined) throw new EnvisionError('E_BUNDLE', `${file}: resample ${resample} is not supported; use 1 (lanczos), 2 (bilinear), 3 (bicubic), 4 (box) or 5 (hamming)`);
  const doResize = field(file, config, 'do_resize', isBoolean, 'true or false', true);
  const doCrop = clip && field(file, config, 'do_center_crop', isBoolean, 'true or false', true);
  const doRescale = field(file, config, 'do_rescale', isBoolean, 'true or false', true);
  const doNormalize = field(file, config, 'do_normalize', isBoolean, 'true or false', true);
  const resize = doResize ? (sizeField(file, config, 'size', siglip) ?? (clip ? { shortestEdge: 224 } : { width: 224, height: 224 })) : undefined;
  const crop = doCrop ? (sizeField(file, config, 'crop_size', true) as Size | undefined) ?? { width: 224, height: 224 } : undefined;
  const defaults = clip ? [OPENAI_MEAN, OPENAI_STD] : [[0.5, 0.5, 0.5] as const, [0.5, 0.5, 0.5] as const];
  const mean = doNormalize ? field(file, config, 'image_mean', isTriple, 'three numbers', [...defaults[0]!] as [number, number, number]) : ([0, 0, 0] as const);
  const std = doNormalize ? field(file, config, 'image_std', isTriple, 'three numbers', [...defaults[1]!] as [number, number, number]) : ([1, 1, 1] as const);
  if (std.some((s) => !(Math.abs(s) >= 1e-6 && Math.abs(s) <= 1000))) throw new EnvisionError('E_BUNDLE', `${file}: image_std must hold numbers from 1e-6 to 1000 in magnitude (normalised pixels must stay finite), got ${JSON.stringify(std)}`);
  if (mean.some((m) => !(Math.abs(m) <= 1000))) throw new EnvisionError('E_BUNDLE', `${file}: image_mean must hold numbers of at most 1000 in magnitude (normalised pixels must stay finite), got ${JSON.stringify(mean)}`);
  const factor = field(file, config, 'rescale_factor', isFiniteNumber, 'a number', 1 / 255);
  return { source: file, ...(resize ? { resize } : {}), filter, ...(crop ? { crop } : {}), cropOffset: 'floor', rescale: doRescale ? { factor } : 'none', mean, std };
}

/**
 * The steps of open_clip's transform from an `open_clip_config.json`'s `preprocess_cfg` and the vision tower's
 * `image_size`: `resize_mode` `shortest` (resize + center crop, the default) or `squash`, `interpolation` bicubic
 * (default) or bilinear, torchvision's center crop and `ToTensor` (÷ 255), then `(x − mean) / std`.
 *
 * @throws EnvisionError `E_BUNDLE` naming the file and field for `resize_mode: longest` or a malformed value
 */
export function processorFromOpenClip(file: string, config: Record<string, unknown>): ImageProcessorSpec {
  const size = field(file, config, 'model_cfg.vision_cfg.image_size', isPositiveInteger, 'a positive integer', 224);
  const cfg = (config['preprocess_cfg'] ?? {}) as Record<string, unknown>;
  const interpolation = cfg['interpolation'] ?? 'bicubic';
  if (interpolation !== 'bicubic' && interpolation !== 'bilinear') {
    throw new EnvisionError('E_BUNDLE', `${file}: preprocess_cfg.interpolation must be bicubic or bilinear, got ${JSON.stringify(interpolation)}`);
  }
  const mode = cfg['resize_mode'] ?? 'shortest';
  if (mode !== 'shortest' && mode !== 'squash') {
    throw new EnvisionError('E_BUNDLE', `${file}: preprocess_cfg.resize_mode ${JSON.stringify(mode)} is not supported; shortest or squash`);
  }
  const mean = field(file, config, 'preprocess_cfg.mean', isTriple, 'three numbers', [...OPENAI_MEAN] as [number, number, number]);
  const std = field(file, config, 'preprocess_cfg.std', isTriple, 'three numbers', [...OPENAI_STD] as [number, number, number]);
  const square = { width: size, height: size };
  return {
    source: file,
    resize: mode === 'shortest' ? { shortestEdge: size } : square,
    filter: interpolation,
    ...(mode === 'shortest' ? { crop: square } : {}),
    cropOffset: 'round',
    rescale: 'divide-255',
    mean,
    std,
  };
}

/** Applies a processor's steps to a decoded RGB image → float32 `[1, 3, H, W]`. */
export function processRgb(image: RgbImage, spec: ImageProcessorSpec): Tensor<'float32'> {
  let img = image;
  if (spec.resize !== undefined) {
    const size = 'shortestEdge' in spec.resize ? shortestEdgeSize(img.width, img.height, spec.resize.shortestEdge) : spec.resize;
    if (size.width !== img.width || size.height !== img.height) img = resizeRgb(img, size, spec.filter);
  }
  if (spec.crop !== undefined) img = centerCropRgb(img, spec.crop, spec.cropOffset);
  const { mean, std } = spec;
  if (spec.rescale === 'divide-255') return normalizeRgb(img, { rescaleFactor: 1, divideBy: 255, mean, std });
  return normalizeRgb(img, { rescaleFactor: spec.rescale === 'none' ? 1 : spec.rescale.factor, mean, std });
}

/** Reads an image file and applies a processor → float32 `[1, 3, H, W]`. */
export async function preprocessFile(file: string, spec: ImageProcessorSpec, limitInputPixels?: number): Promise<Tensor<'float32'>> {
  const image = await decodeRgb(file, limitInputPixels === undefined ? {} : { limitInputPixels });
  // The pixel limit holds for the resized image too: a 100000 × 1 image resized to a shortest edge of 224 is not small.
  const limit = limitInputPixels ?? DEFAULT_LIMIT_INPUT_PIXELS;
  const resize = spec.resize;
  const size = resize === undefined ? image : 'shortestEdge' in resize ? shortestEdgeSize(image.width, image.height, resize.shortestEdge) : resize;
  if (size.width * size.height > limit) {
    throw new EnvisionError('E_IMAGE', `cannot read image ${file}: it is ${image.width}×${image.height}, resized to ${size.width}×${size.height} = ${size.width * size.height} pixels, over the limit of ${limit} (option limitInputPixels)`);
  }
  return processRgb(image, spec);
}

/** Where a folder's image-processor settings are read from. */
export const PREPROCESSOR_FILE = 'preprocessor_config.json';

/** The path of a folder's preprocessor config. */
export const preprocessorPath = (dir: string): string => join(dir, PREPROCESSOR_FILE);
