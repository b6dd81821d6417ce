import type { Box } from '@envision/core';

/**
 * The finding classes a phantom can carry: the CheXpert competition labels MedCLIP's prompt set uses (Atelectasis,
 * Cardiomegaly, Consolidation, Edema, Pleural Effusion) plus Nodule and Pneumothorax, spelled as CheXpert spells them.
 */
export const PHANTOM_CLASSES = ['Atelectasis', 'Cardiomegaly', 'Consolidation', 'Edema', 'Pleural Effusion', 'Nodule', 'Pneumothorax'] as const;

/** One of {@link PHANTOM_CLASSES}. */
export type PhantomClass = (typeof PHANTOM_CLASSES)[number];

/**
 * The patient's side, in radiological convention: the patient's right lung is on the image's left, so `right`
 * findings lie in the left half of the image.
 */
export type PhantomSide = 'left' | 'right' | 'bilateral';

/** A lung zone: the upper, middle or lower third of a lung field's height. */
export type PhantomZone = 'upper' | 'mid' | 'lower';

/** How pronounced a finding is (size, extent or density, depending on the class). */
export type PhantomSeverity = 'mild' | 'moderate' | 'severe';

/** One finding of a phantom, with its pixel-exact ground truth. */
export interface PhantomFinding {
  /** The class label (CheXpert spelling). */
  readonly class: PhantomClass;
  /** The patient's side; `null` for Cardiomegaly. */
  readonly side: PhantomSide | null;
  /** The lung zone of the mask's centroid (`mid` for Edema, `lower` for Pleural Effusion); `null` for Cardiomegaly. */
  readonly zone: PhantomZone | null;
  /** How pronounced it is. */
  readonly severity: PhantomSeverity;
  /** A subtype where the class has one (`linear`, `plate-like`, `subsegmental` atelectasis; `patchy`, `airspace` consolidation), else `null`. */
  readonly subtype: string | null;
  /** The pixels the finding occupies: `size · size` bytes, row-major, 1 inside and 0 outside. */
  readonly mask: Uint8Array;
  /** The tight bounding box of `mask` (`x1`, `y1` exclusive). */
  readonly box: Box;
  /** Captions describing this finding, in MedCLIP's prompt style. */
  readonly captions: readonly string[];
  /** Cardiothoracic ratio measured on the masks (Cardiomegaly only). */
  readonly ctr?: number;
}

/** Kinds of distractor drawn outside the body: a lead side-marker letter, or a wire/tube. */
export type PhantomDistractorKind = 'marker' | 'tube';

/** A bright object outside the body that carries no finding: attribution on it is attribution outside the patient. */
export interface PhantomDistractor {
  /** What it is. */
  readonly kind: PhantomDistractorKind;
  /** The letter of a side marker (`L` or `R`); absent for a tube. */
  readonly text?: 'L' | 'R';
  /** Its pixels: `size · size` bytes, 1 inside. Never overlaps the body mask. */
  readonly mask: Uint8Array;
  /** The tight bounding box of `mask` (`x1`, `y1` exclusive). */
  readonly box: Box;
}

/** Masks of the normal anatomy of a phantom, for tests and benchmarks (`size · size` bytes each, 1 inside). */
export interface PhantomAnatomy {
  /** The patient's right lung field (image left), heart excluded. */
  readonly rightLung: Uint8Array;
  /** The patient's left lung field (image right), heart excluded. */
  readonly leftLung: Uint8Array;
  /** The heart shadow above the diaphragm. */
  readonly heart: Uint8Array;
  /** Cardiothoracic ratio: widest heart width over the widest distance between the lungs' outer borders. */
  readonly ctr: number;
}

/** A generated phantom radiograph and its ground truth. */
export interface Phantom {
  /** The seed it was generated from. */
  readonly seed: number;
  /** Width and height in pixels. */
  readonly size: number;
  /** The radiograph: `size · size` bytes of 8-bit grayscale, row-major. */
  readonly image: Uint8Array;
  /** The patient's body (soft tissue outline): `size · size` bytes, 1 inside. */
  readonly bodyMask: Uint8Array;
  /** Its findings (0–2 unless forced otherwise), with masks inside the body mask. */
  readonly findings: readonly PhantomFinding[];
  /** Distractors outside the body. */
  readonly distractors: readonly PhantomDistractor[];
  /** Class labels of the findings, or `['No Finding']`. */
  readonly labels: readonly string[];
  /** All captions: each finding's in order, or a normal-study caption such as `no finding`. */
  readonly captions: readonly string[];
  /** Masks of the normal anatomy. */
  readonly anatomy: PhantomAnatomy;
}

/** Options of {@link generatePhantom}. */
export interface PhantomOptions {
  /**
   * Width and height in pixels (an integer from 64 to 2048).
   * @default 224
   */
  readonly size?: number | undefined;
  /** Classes to draw, distinct, at most 2 (`[]` for a normal study). Overrides `count`. */
  readonly findings?: readonly PhantomClass[] | undefined;
  /** How many findings to draw, chosen by the seed (0, 1 or 2). Without it the seed chooses 0–2. */
  readonly count?: number | undefined;
  /**
   * Distractors to draw outside the body: `true` for both kinds, `false` for none, a list of kinds, or
   * `'random'` to let the seed choose each kind independently.
   * @default 'random'
   */
  readonly distractors?: boolean | readonly PhantomDistractorKind[] | 'random' | undefined;
}

/**
 * The file-name form of a class: lower case, words joined by `-` (`Pleural Effusion` → `pleural-effusion`).
 *
 * @param cls - a class label
 * @returns its slug
 */
export function phantomClassSlug(cls: PhantomClass): string {
  return cls.toLowerCase().replace(/\s+/g, '-');
}

/**
 * True when `name` is one of {@link PHANTOM_CLASSES} (exact spelling).
 *
 * @param name - a candidate label
 * @returns whether it is a phantom class
 */
export function isPhantomClass(name: string): name is PhantomClass {
  return (PHANTOM_CLASSES as readonly string[]).includes(name);
}
