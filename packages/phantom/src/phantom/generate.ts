import { EnvisionError, type SeededRandom } from '@envision/core';
import { buildAnatomy } from './anatomy.js';
import { captionsFor, normalCaptions } from './captions.js';
import { renderBase } from './density.js';
import { develop } from './display.js';
import { chooseDistractors, drawMarker, drawTube, type DistractorDraw } from './distractors.js';
import { drawEdema } from './diffuse.js';
import { type FindingContext, type FindingDraw, makeFindingContext } from './finding-draw.js';
import { drawAtelectasis, drawConsolidation, drawNodule } from './focal.js';
import { zoneAt } from './lung-geometry.js';
import { type FindingSpec, MAX_FINDINGS, planFindings } from './plan.js';
import { drawEffusion, drawPneumothorax } from './pleural.js';
import { boxOf, centroidOf, dilate } from './raster.js';
import { between, checkSeed, streamRandom } from './seed.js';
import { renderSkeleton, sampleSkeleton } from './skeleton.js';
import { PHANTOM_CLASSES, type Phantom, type PhantomClass, type PhantomFinding, type PhantomOptions, type PhantomSide, type PhantomZone, isPhantomClass } from './types.js';
import { renderVessels } from './vessels.js';

/** Default image size, MedCLIP's input size. */
export const PHANTOM_SIZE = 224;

/** Cardiothoracic ratios drawn for cardiomegaly, per severity. */
export const CARDIOMEGALY_CTR: Readonly<Record<'mild' | 'moderate' | 'severe', readonly [number, number]>> = {
  mild: [0.53, 0.57],
  moderate: [0.58, 0.62],
  severe: [0.63, 0.68],
};

type Drawer = (rng: SeededRandom, ctx: FindingContext, spec: FindingSpec) => FindingDraw | undefined;

const DRAWERS: Readonly<Record<Exclude<PhantomClass, 'Cardiomegaly'>, Drawer>> = {
  Nodule: drawNodule,
  Consolidation: drawConsolidation,
  Atelectasis: drawAtelectasis,
  'Pleural Effusion': drawEffusion,
  Pneumothorax: drawPneumothorax,
  Edema: drawEdema,
};

/**
 * Checks a phantom size: an integer from 64 to 2048.
 *
 * @throws EnvisionError `E_CONFIG` otherwise
 */
export function checkPhantomSize(size: number): void {
  if (!Number.isInteger(size) || size < 64 || size > 2048) throw new EnvisionError('E_CONFIG', `phantom size must be an integer from 64 to 2048, got ${size}`);
}

/**
 * Checks generation options: the size, the forced classes (known, distinct, at most {@link MAX_FINDINGS}), the count
 * and the distractor choice.
 *
 * @param options - the options
 * @throws EnvisionError `E_CONFIG` naming the bad option
 */
export function checkPhantomOptions(options: PhantomOptions): void {
  checkPhantomSize(options.size ?? PHANTOM_SIZE);
  const { findings, count, distractors } = options;
  if (findings !== undefined) {
    if (!Array.isArray(findings)) throw new EnvisionError('E_CONFIG', 'phantom findings must be a list of class names');
    if (findings.length > MAX_FINDINGS) throw new EnvisionError('E_CONFIG', `a phantom has at most ${MAX_FINDINGS} findings, got ${findings.length}`);
    findings.forEach((f, k) => {
      if (!isPhantomClass(f)) throw new EnvisionError('E_CONFIG', `unknown phantom finding '${f}' (classes: ${PHANTOM_CLASSES.join(', ')})`);
      if (findings.indexOf(f) !== k) throw new EnvisionError('E_CONFIG', `phantom finding '${f}' is listed twice`);
    });
  }
  if (count !== undefined && !(Number.isInteger(count) && count >= 0 && count <= MAX_FINDINGS)) {
    throw new EnvisionError('E_CONFIG', `phantom finding count must be an integer from 0 to ${MAX_FINDINGS}, got ${count}`);
  }
  const kinds: readonly unknown[] = ['marker', 'tube'];
  const okDistractors =
    distractors === undefined || distractors === true || distractors === false || distractors === 'random' || (Array.isArray(distractors) && distractors.every((k) => kinds.includes(k)));
  if (!okDistractors) throw new EnvisionError('E_CONFIG', `phantom distractors must be true, false, 'random' or a list of 'marker'/'tube', got ${JSON.stringify(distractors)}`);
}

/**
 * Draws a finding where it was planned or, when earlier findings leave no room there, in the nearest free place:
 * the other zones of the same side, then the other side (Nodule, Consolidation, Atelectasis; the others are bound to
 * their place). The returned drawing carries the specification actually used.
 */
function placeFinding(rng: SeededRandom, ctx: FindingContext, spec: FindingSpec): FindingDraw | undefined {
  const drawer = DRAWERS[spec.class as Exclude<PhantomClass, 'Cardiomegaly'>];
  const draw = drawer(rng, ctx, spec);
  if (draw || !MOVABLE.includes(spec.class)) return draw;
  const zones: PhantomZone[] = ['upper', 'mid', 'lower'];
  const sides: PhantomSide[] = spec.side === 'left' ? ['left', 'right'] : ['right', 'left'];
  for (const side of sides) {
    for (const zone of zones) {
      if (side === spec.side && zone === spec.zone) continue;
      const moved = drawer(rng, ctx, { ...spec, side, zone });
      if (moved) return moved;
    }
  }
  return undefined;
}

/** Findings that may move to another zone or side when their planned place is taken. */
const MOVABLE: readonly PhantomClass[] = ['Nodule', 'Consolidation', 'Atelectasis'];

/**
 * Generates a synthetic frontal chest radiograph whose findings are known pixel by pixel.
 *
 * The patient (body outline, lung fields, heart, diaphragm, ribs, clavicles, spine, trachea, lung markings), the
 * findings, the distractors, the noise and the display settings each come from their own random stream derived
 * from `seed`, so the same seed gives the same bytes on every machine, and the same seed with and without a
 * finding gives images that differ only in and around the finding's mask. Images use radiological convention:
 * the patient's right is on the image left.
 *
 * Findings are drawn inside the lung fields (Cardiomegaly: the enlarged heart) and never overlap each other;
 * each carries its mask, tight box, side, zone (measured on the mask), severity, subtype and captions. Distractors
 * (a side marker letter, a wire) lie outside the body.
 *
 * @param seed - a non-negative safe integer
 * @param options - size, forced findings or their count, distractors
 * @returns the image, its masks and captions
 * @throws EnvisionError `E_CONFIG` for a bad seed or options ({@link checkPhantomOptions})
 */
export function generatePhantom(seed: number, options: PhantomOptions = {}): Phantom {
  checkSeed(seed);
  checkPhantomOptions(options);
  const size = options.size ?? PHANTOM_SIZE;
  const specs = planFindings(streamRandom(seed, 'plan'), options.findings, options.count);

  // Anatomy; cardiomegaly sets the heart's size.
  const cardio = specs.find((s) => s.class === 'Cardiomegaly');
  const ctr = cardio && between(streamRandom(seed, 'cardiomegaly'), ...CARDIOMEGALY_CTR[cardio.severity]);
  const anatomyRng = streamRandom(seed, 'anatomy');
  const anatomy = buildAnatomy(anatomyRng, size, ctr);
  const bones = renderSkeleton(anatomy.frame, anatomy.shape, sampleSkeleton(anatomyRng), anatomy.body);
  const vessels = renderVessels(anatomyRng, anatomy.frame, anatomy.shape);
  const base = renderBase(anatomyRng, anatomy, bones);

  // Findings, in placement order, each kept clear of the earlier ones.
  const n = size * size;
  const scale = size / 224;
  const ctx = makeFindingContext(anatomy, base);
  const captionRng = streamRandom(seed, 'captions');
  const findings: PhantomFinding[] = [];
  const draws: FindingDraw[] = [];
  specs.forEach((planned, k) => {
    let spec = planned;
    let mask: Uint8Array;
    if (spec.class === 'Cardiomegaly') {
      mask = anatomy.heart.slice();
    } else {
      const draw = placeFinding(streamRandom(seed, `finding-${k}`), ctx, spec);
      if (!draw) return;
      spec = draw.spec;
      draws.push(draw);
      mask = draw.mask;
    }
    orInto(ctx.occupied, dilate(mask, size, 3 * scale));
    const zone = spec.class === 'Cardiomegaly' ? null : measuredZone(spec, mask, ctx);
    const subject = { class: spec.class, side: spec.side, zone, severity: spec.severity, subtype: spec.subtype };
    findings.push({
      ...subject,
      mask,
      box: boxOf(mask, size)!,
      captions: captionsFor(captionRng, subject),
      ...(spec.class === 'Cardiomegaly' ? { ctr: anatomy.ctr } : {}),
    });
  });

  // Distractors outside the body.
  const distractorRng = streamRandom(seed, 'distractors');
  const kinds = chooseDistractors(distractorRng, options.distractors ?? 'random');
  const distractors: DistractorDraw[] = [];
  if (kinds.includes('marker')) {
    const marker = drawMarker(distractorRng, anatomy.body, size);
    if (marker) distractors.push(marker);
  }
  if (kinds.includes('tube')) {
    const avoid = distractors[0] && dilate(distractors[0].mask, size, 3 * scale);
    const tube = drawTube(distractorRng, anatomy.body, size, avoid);
    if (tube) distractors.push(tube);
  }

  // Compose and develop.
  const markings = new Float32Array(n).fill(1);
  for (const d of draws) if (d.markings) multiplyInto(markings, d.markings);
  const density = new Float32Array(n);
  const { density: baseDensity, lungSoft } = base;
  for (let i = 0; i < n; i++) density[i] = baseDensity[i]! + vessels[i]! * lungSoft[i]! * markings[i]!;
  for (const d of [...draws, ...distractors]) addInto(density, d.add);
  const textureWeight = new Float32Array(n);
  for (let i = 0; i < n; i++) textureWeight[i] = lungSoft[i]! * markings[i]!;
  const { image } = develop(streamRandom(seed, 'noise'), density, textureWeight, size);

  const captions = findings.length === 0 ? normalCaptions(captionRng) : findings.flatMap((f) => f.captions);
  return {
    seed,
    size,
    image,
    bodyMask: anatomy.body,
    findings,
    distractors: distractors.map(({ add: _add, ...d }) => d),
    labels: findings.length === 0 ? ['No Finding'] : findings.map((f) => f.class),
    captions,
    anatomy: { rightLung: anatomy.rightLung, leftLung: anatomy.leftLung, heart: anatomy.heart, ctr: anatomy.ctr },
  };
}

/** The zone a finding's mask is in: its centroid's zone in its lung (Edema: mid; bilateral effusion: lower). */
function measuredZone(spec: FindingSpec, mask: Uint8Array, ctx: FindingContext): PhantomZone {
  if (spec.side === 'bilateral') return spec.zone ?? 'mid';
  const lung = spec.side === 'left' ? ctx.left : ctx.right;
  return zoneAt(lung, centroidOf(mask, ctx.size).y);
}

/** `target[i] *= factor[i]`. */
function multiplyInto(target: Float32Array, factor: Float32Array): void {
  for (let i = 0; i < target.length; i++) target[i]! *= factor[i]!;
}

/** `target[i] += values[i]`. */
function addInto(target: Float32Array, values: Float32Array): void {
  for (let i = 0; i < target.length; i++) target[i]! += values[i]!;
}

/** `target[i] |= bits[i]`. */
function orInto(target: Uint8Array, bits: Uint8Array): void {
  for (let i = 0; i < target.length; i++) target[i]! |= bits[i]!;
}
