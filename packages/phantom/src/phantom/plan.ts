import { EnvisionError, type SeededRandom } from '@envision/core';
import { pick } from './seed.js';
import { PHANTOM_CLASSES, type PhantomClass, type PhantomSeverity, type PhantomSide, type PhantomZone, isPhantomClass } from './types.js';

/** What to draw for one finding, decided before anything is placed. */
export interface FindingSpec {
  /** The class. */
  readonly class: PhantomClass;
  /** The patient's side (`null` for Cardiomegaly). */
  readonly side: PhantomSide | null;
  /** How pronounced. */
  readonly severity: PhantomSeverity;
  /** Subtype, where the class has one. */
  readonly subtype: string | null;
  /** The zone to place it in (the reported zone is measured on the mask afterwards). */
  readonly zone: PhantomZone | null;
}

/** The most findings one phantom can carry. */
export const MAX_FINDINGS = 2;

/**
 * Order in which findings are placed: those bound to an anatomical place first (the heart, the bases, the hila,
 * the apex), then those that can move to free space.
 */
const PLACEMENT_ORDER: readonly PhantomClass[] = ['Cardiomegaly', 'Pleural Effusion', 'Edema', 'Pneumothorax', 'Consolidation', 'Atelectasis', 'Nodule'];

/**
 * The value for a severity.
 *
 * @param severity - mild, moderate or severe
 * @param values - the values for each, in that order
 * @returns the matching value
 */
export function bySeverity<T>(severity: PhantomSeverity, values: readonly [T, T, T]): T {
  return values[severity === 'mild' ? 0 : severity === 'moderate' ? 1 : 2];
}

const SEVERITIES: readonly PhantomSeverity[] = ['mild', 'moderate', 'severe'];

/** Draws one value from weighted choices. */
function weighted<T>(rng: SeededRandom, choices: readonly (readonly [T, number])[]): T {
  const total = choices.reduce((s, [, w]) => s + w, 0);
  let r = rng.uniform() * total;
  for (const [value, w] of choices) {
    r -= w;
    if (r < 0) return value;
  }
  return choices[choices.length - 1]![0];
}

/**
 * Draws the attributes of one finding of class `cls`.
 *
 * @param rng - the plan stream
 * @param cls - the class
 * @returns its specification
 */
export function specFor(rng: SeededRandom, cls: PhantomClass): FindingSpec {
  const severity = pick(rng, SEVERITIES);
  const lr = (): PhantomSide => (rng.uniform() < 0.5 ? 'left' : 'right');
  switch (cls) {
    case 'Cardiomegaly':
      return { class: cls, side: null, severity, subtype: null, zone: null };
    case 'Pleural Effusion':
      return { class: cls, side: weighted<PhantomSide>(rng, [['left', 0.35], ['right', 0.35], ['bilateral', 0.3]]), severity, subtype: null, zone: 'lower' };
    case 'Edema':
      return { class: cls, side: 'bilateral', severity, subtype: null, zone: 'mid' };
    case 'Pneumothorax':
      return { class: cls, side: lr(), severity, subtype: null, zone: 'upper' };
    case 'Consolidation':
      return {
        class: cls,
        side: lr(),
        severity,
        subtype: pick(rng, ['patchy', 'airspace']),
        zone: weighted<PhantomZone>(rng, [['lower', 0.45], ['mid', 0.3], ['upper', 0.25]]),
      };
    case 'Atelectasis':
      return {
        class: cls,
        side: lr(),
        severity,
        subtype: pick(rng, ['linear', 'plate-like', 'subsegmental']),
        zone: weighted<PhantomZone>(rng, [['lower', 0.6], ['mid', 0.3], ['upper', 0.1]]),
      };
    case 'Nodule':
      return { class: cls, side: lr(), severity, subtype: null, zone: pick(rng, ['upper', 'mid', 'lower'] as const) };
  }
}

/**
 * Decides a phantom's findings: the forced classes, or `count` (else 0–2: 20 % / 50 % / 30 %) distinct classes
 * drawn uniformly; each with attributes from {@link specFor}. Returned in placement order.
 *
 * @param rng - the plan stream
 * @param findings - classes to force, if any
 * @param count - how many to draw when not forced
 * @returns the specifications (options are checked by the caller; unknown classes still throw `E_CONFIG`)
 */
export function planFindings(rng: SeededRandom, findings?: readonly string[], count?: number): FindingSpec[] {
  let classes: PhantomClass[];
  if (findings !== undefined) {
    for (const f of findings) if (!isPhantomClass(f)) throw new EnvisionError('E_CONFIG', `unknown phantom finding '${f}' (classes: ${PHANTOM_CLASSES.join(', ')})`);
    classes = [...new Set(findings as PhantomClass[])];
  } else {
    const n = count ?? weighted(rng, [[0, 0.2], [1, 0.5], [2, 0.3]]);
    const pool = [...PHANTOM_CLASSES];
    classes = [];
    for (let k = 0; k < n && pool.length > 0; k++) classes.push(pool.splice(rng.integer(pool.length), 1)[0]!);
  }
  classes.sort((a, b) => PLACEMENT_ORDER.indexOf(a) - PLACEMENT_ORDER.indexOf(b));
  return classes.map((c) => specFor(rng, c));
}
