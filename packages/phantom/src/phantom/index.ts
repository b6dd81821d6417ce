/**
 * Synthetic chest radiographs with pixel-exact ground truth: a seeded generator of frontal chest X-ray phantoms
 * (body, lungs, heart, diaphragm, ribs, clavicles, spine, lung markings, noise) carrying 0–2 findings (Nodule,
 * Consolidation, Atelectasis, Pleural Effusion, Pneumothorax, Edema, Cardiomegaly) with masks, boxes, attributes
 * and MedCLIP-style captions, optional distractors outside the body, and a writer for image/mask sets.
 * @module
 */
export {
  PHANTOM_CLASSES,
  type PhantomClass,
  type PhantomSide,
  type PhantomZone,
  type PhantomSeverity,
  type PhantomFinding,
  type PhantomDistractorKind,
  type PhantomDistractor,
  type PhantomAnatomy,
  type Phantom,
  type PhantomOptions,
  phantomClassSlug,
  isPhantomClass,
} from './types.js';
export { PHANTOM_SIZE, CARDIOMEGALY_CTR, checkPhantomOptions, generatePhantom } from './generate.js';
export { MAX_FINDINGS } from './plan.js';
export { type CaptionSubject, type CaptionWords, type CaptionTemplate, NORMAL_CAPTIONS, CAPTION_TEMPLATES, captionsFor, normalCaptions } from './captions.js';
export { MARKER_GLYPHS } from './distractors.js';
export { deriveSeed } from './seed.js';
export {
  PHANTOM_INDEX_FORMAT,
  type PhantomIndex,
  type PhantomIndexItem,
  type PhantomIndexFinding,
  type PhantomIndexDistractor,
  type WritePhantomsOptions,
  writePhantoms,
} from './write.js';
