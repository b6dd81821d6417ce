import { access, constants, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { writeFileAtomic, EnvisionError, describeCause, type Box } from '@envision/core';
import { PHANTOM_SIZE, checkPhantomOptions, checkPhantomSize, generatePhantom } from './generate.js';
import { checkSeed } from './seed.js';
import { type PhantomClass, type PhantomOptions, type PhantomSeverity, type PhantomSide, type PhantomZone, phantomClassSlug } from './types.js';

/** The `format` value of a phantom set's `index.json`. */
export const PHANTOM_INDEX_FORMAT = 'envision-phantoms/1';

/** One finding in `index.json`; paths are relative to the set's folder. */
export interface PhantomIndexFinding {
  /** Class label. */
  readonly class: PhantomClass;
  /** The patient's side, or null. */
  readonly side: PhantomSide | null;
  /** Lung zone, or null. */
  readonly zone: PhantomZone | null;
  /** Severity. */
  readonly severity: PhantomSeverity;
  /** Subtype, or null. */
  readonly subtype: string | null;
  /** Tight box of the mask, `x1`/`y1` exclusive. */
  readonly box: Box;
  /** The mask PNG (0/255). */
  readonly mask: string;
  /** Captions of this finding. */
  readonly captions: readonly string[];
  /** Cardiothoracic ratio (Cardiomegaly only). */
  readonly ctr?: number;
}

/** One distractor in `index.json`. */
export interface PhantomIndexDistractor {
  /** `marker` or `tube`. */
  readonly kind: 'marker' | 'tube';
  /** The marker's letter. */
  readonly text?: 'L' | 'R';
  /** Tight box of the mask. */
  readonly box: Box;
  /** The mask PNG (0/255). */
  readonly mask: string;
}

/** One phantom in `index.json`. */
export interface PhantomIndexItem {
  /** `phantom-<i>`. */
  readonly id: string;
  /** The image PNG. */
  readonly image: string;
  /** The seed that regenerates it alone: `generatePhantom(seed, { size, ...options })`. */
  readonly seed: number;
  /** The body mask PNG (0/255). */
  readonly bodyMask: string;
  /** Its findings. */
  readonly findings: readonly PhantomIndexFinding[];
  /** Class labels, or `['No Finding']`. */
  readonly labels: readonly string[];
  /** All captions. */
  readonly captions: readonly string[];
  /** Distractors outside the body. */
  readonly distractors: readonly PhantomIndexDistractor[];
}

/** The `index.json` of a phantom set. */
export interface PhantomIndex {
  /** {@link PHANTOM_INDEX_FORMAT}. */
  readonly format: typeof PHANTOM_INDEX_FORMAT;
  /** Seed of the set: item `i` uses `seed + i`. */
  readonly seed: number;
  /** Number of items. */
  readonly n: number;
  /** Image size. */
  readonly size: number;
  /** The generation options besides size, when any were given (to regenerate an item alone). */
  readonly options?: { readonly findings?: readonly PhantomClass[]; readonly count?: number; readonly distractors?: PhantomOptions['distractors'] };
  /** The phantoms. */
  readonly items: readonly PhantomIndexItem[];
}

/** Options of {@link writePhantoms}. */
export interface WritePhantomsOptions extends Omit<PhantomOptions, 'size'> {
  /** How many phantoms (at least 1). */
  readonly n: number;
  /**
   * Seed of the set; phantom `i` uses `seed + i`.
   * @default 0
   */
  readonly seed?: number | undefined;
  /** Output folder (created if missing). */
  readonly out: string;
  /**
   * Image size.
   * @default 224
   */
  readonly size?: number | undefined;
}

/** PNG bytes of an 8-bit grayscale plane, stored as a one-channel grayscale PNG (sharp would otherwise write RGB). */
async function grayPng(pixels: Uint8Array, size: number): Promise<Uint8Array> {
  try {
    return await sharp(pixels, { raw: { width: size, height: size, channels: 1 } }).toColourspace('b-w').png().toBuffer();
  } catch (e) {
    throw new EnvisionError('E_IMAGE', `cannot encode a ${size} × ${size} PNG: ${describeCause(e)}`, e);
  }
}

/** A 0/1 mask as 0/255 bytes. */
function maskBytes(mask: Uint8Array): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) out[i] = mask[i] ? 255 : 0;
  return out;
}

/**
 * Generates `n` phantoms and writes them as a set: `images/phantom-<i>.png`, `masks/phantom-<i>-body.png`,
 * `masks/phantom-<i>-<class-slug>.png` per finding, `masks/phantom-<i>-<marker|tube>.png` per distractor (all
 * masks 0/255), and finally `index.json` (format {@link PHANTOM_INDEX_FORMAT}). Phantom `i` uses seed `seed + i`,
 * so any item can be regenerated alone. Every file is written atomically.
 *
 * @param options - count, seed, output folder, size and generation options
 * @returns the index that was written, and its path
 * @throws EnvisionError `E_CONFIG` for a bad count, seed, size or finding list; `E_FILE` (one line) when the
 * output folder cannot be created or written
 */
export async function writePhantoms(options: WritePhantomsOptions): Promise<{ index: PhantomIndex; indexPath: string }> {
  const { n, out } = options;
  const seed = options.seed ?? 0;
  const size = options.size ?? PHANTOM_SIZE;
  if (!Number.isInteger(n) || n < 1) throw new EnvisionError('E_CONFIG', `phantom count n must be an integer ≥ 1, got ${n}`);
  checkSeed(seed);
  checkSeed(seed + n - 1, 'phantom seed + n − 1');
  checkPhantomSize(size);
  const generation: PhantomOptions = { size, findings: options.findings, count: options.count, distractors: options.distractors };
  checkPhantomOptions(generation);
  try {
    await mkdir(join(out, 'images'), { recursive: true });
    await mkdir(join(out, 'masks'), { recursive: true });
    await access(out, constants.W_OK);
  } catch (e) {
    throw new EnvisionError('E_FILE', `cannot write to output folder ${out}: ${describeCause(e)}`, e);
  }
  const items: PhantomIndexItem[] = [];
  // PNG encoding and writing run in the background while the next phantoms are generated (a few at a time).
  const pending: Promise<void>[] = [];
  let failure: unknown;
  for (let i = 0; i < n; i++) {
    if (failure !== undefined) break;
    const p = generatePhantom(seed + i, generation);
    const id = `phantom-${i}`;
    const files: [string, Uint8Array][] = [
      [`images/${id}.png`, p.image],
      [`masks/${id}-body.png`, maskBytes(p.bodyMask)],
    ];
    const findings = p.findings.map((f): PhantomIndexFinding => {
      const mask = `masks/${id}-${phantomClassSlug(f.class)}.png`;
      files.push([mask, maskBytes(f.mask)]);
      return {
        class: f.class,
        side: f.side,
        zone: f.zone,
        severity: f.severity,
        subtype: f.subtype,
        box: f.box,
        mask,
        captions: f.captions,
        ...(f.ctr === undefined ? {} : { ctr: Math.round(f.ctr * 1e4) / 1e4 }),
      };
    });
    const distractors = p.distractors.map((d): PhantomIndexDistractor => {
      const mask = `masks/${id}-${d.kind}.png`;
      files.push([mask, maskBytes(d.mask)]);
      return { kind: d.kind, ...(d.text ? { text: d.text } : {}), box: d.box, mask };
    });
    const written = Promise.all(files.map(async ([path, pixels]) => writeFileAtomic(join(out, path), await grayPng(pixels, size))));
    pending.push(
      written.then(
        () => undefined,
        (e: unknown) => {
          failure ??= e;
        },
      ),
    );
    if (pending.length >= 4) await pending.shift();
    items.push({ id, image: `images/${id}.png`, seed: seed + i, bodyMask: `masks/${id}-body.png`, findings, labels: p.labels, captions: p.captions, distractors });
  }
  await Promise.all(pending);
  if (failure !== undefined) throw failure;
  const given = { findings: options.findings, count: options.count, distractors: options.distractors };
  const hasOptions = Object.values(given).some((v) => v !== undefined);
  const index: PhantomIndex = {
    format: PHANTOM_INDEX_FORMAT,
    seed,
    n,
    size,
    ...(hasOptions ? { options: JSON.parse(JSON.stringify(given)) as PhantomIndex['options'] } : {}),
    items,
  };
  const indexPath = join(out, 'index.json');
  await writeFileAtomic(indexPath, JSON.stringify(index, null, 2) + '\n');
  return { index, indexPath };
}
