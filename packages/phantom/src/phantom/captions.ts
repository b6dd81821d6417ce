import type { SeededRandom } from '@envision/core';
import { bySeverity } from './plan.js';
import { pick } from './seed.js';
import type { PhantomClass, PhantomSeverity, PhantomSide, PhantomZone } from './types.js';

/** The attributes a caption describes. */
export interface CaptionSubject {
  /** The class. */
  readonly class: PhantomClass;
  /** The patient's side, or `null`. */
  readonly side: PhantomSide | null;
  /** The zone, or `null`. */
  readonly zone: PhantomZone | null;
  /** The severity. */
  readonly severity: PhantomSeverity;
  /** The subtype, or `null`. */
  readonly subtype: string | null;
}

/** Captions of a normal study. */
export const NORMAL_CAPTIONS: readonly string[] = [
  'no finding',
  'no acute cardiopulmonary process',
  'normal chest radiograph',
  'the lungs are clear',
  'no focal consolidation, pleural effusion or pneumothorax',
];

/** The words a caption template fills in (empty strings where an attribute does not apply). */
export interface CaptionWords {
  /** `left`, `right`, `bilateral`. */
  readonly side: string;
  /** `upper`, `mid`, `lower`. */
  readonly zone: string;
  /** The subtype (`linear`, `patchy`, …). */
  readonly subtype: string;
  /** The class's word for the severity (`small`, `mild`, `large`, …). */
  readonly sev: string;
  /** The severity as an adverb (`mildly`, `moderately`, `severely`). */
  readonly adverb: string;
}

/** A caption template: words in, caption out (runs of spaces are collapsed afterwards). */
export type CaptionTemplate = (w: CaptionWords) => string;

const lobeZone = (w: CaptionWords) => (w.zone === 'mid' ? 'mid lung zone' : `${w.zone} lobe`);
const apical = (w: CaptionWords) => (w.zone === 'upper' ? 'apical' : w.zone === 'mid' ? 'mid zone' : 'basal');

/** Caption templates per class, in MedCLIP's prompt style (lower case, severity, subtype, location). */
export const CAPTION_TEMPLATES: Readonly<Record<PhantomClass, readonly CaptionTemplate[]>> = {
  Nodule: [
    (w) => `${w.sev} nodule in the ${w.side} ${w.zone} lung zone`,
    (w) => `${w.sev} pulmonary nodule at the ${w.side} ${w.zone} lung zone`,
    (w) => `${w.side} ${w.zone} zone ${w.sev} nodule`,
    (w) => `solitary ${w.sev} nodule in the ${w.side} ${w.zone} lung`,
  ],
  Consolidation: [
    (w) => `${w.subtype} consolidation at the ${w.side} ${w.zone} lung zone`,
    (w) => `${w.sev} ${w.subtype} opacity in the ${w.side} ${w.zone} lung zone`,
    (w) => `${w.side} ${w.zone} zone ${w.subtype} consolidation`,
    (w) => `${w.subtype} consolidation at the ${w.side} ${lobeZone(w)}`,
    (w) => `${w.sev} airspace opacity at the ${w.side} ${w.zone} lung zone`,
  ],
  Atelectasis: [
    (w) => `${w.sev} ${w.subtype} atelectasis at the ${w.side} ${w.zone} lung zone`,
    (w) => `${w.subtype} atelectasis in the ${w.side} ${w.zone} lung zone`,
    (w) => `${w.side} ${w.zone} zone ${w.subtype} atelectasis`,
    (w) => (w.zone === 'lower' ? `${w.sev} ${w.subtype} atelectasis at the ${w.side} lung base` : `${w.sev} ${w.subtype} atelectasis at the ${w.side} ${w.zone} lung`),
  ],
  'Pleural Effusion': [
    (w) => (w.side === 'bilateral' ? `${w.sev} bilateral pleural effusions` : `${w.sev} ${w.side} pleural effusion`),
    (w) => (w.side === 'bilateral' ? `bilateral pleural effusions blunting the costophrenic angles` : `${w.sev} ${w.side}-sided pleural effusion`),
    (w) =>
      w.side === 'bilateral'
        ? `${w.sev} bilateral pleural effusions at the lung bases`
        : `${w.side} pleural effusion with blunting of the ${w.side} costophrenic angle`,
    (w) => (w.side === 'bilateral' ? `${w.sev} pleural effusions, bilateral` : `${w.sev} pleural effusion at the ${w.side} lung base`),
  ],
  Cardiomegaly: [
    () => 'cardiomegaly',
    () => 'enlarged cardiac silhouette',
    (w) => `${w.sev} cardiomegaly`,
    (w) => `${w.adverb} enlarged cardiac silhouette`,
    () => 'heart size is enlarged',
  ],
  Pneumothorax: [
    (w) => `${w.sev} ${w.side} ${apical(w)} pneumothorax`,
    (w) => `${w.sev} ${w.side} pneumothorax at the ${w.side} ${w.zone} lung zone`,
    (w) => `${w.side} ${apical(w)} pneumothorax with a visible pleural line`,
  ],
  Edema: [
    (w) => `${w.sev} pulmonary edema with bilateral perihilar haze`,
    (w) => `bilateral perihilar haze consistent with ${w.sev} edema`,
    (w) => `${w.sev} bilateral perihilar interstitial edema`,
    (w) => `${w.sev} pulmonary interstitial edema in the bilateral perihilar mid lung zones`,
  ],
};

/** The words a subject's attributes become in its class's captions. */
function wordsFor(rng: SeededRandom, s: CaptionSubject): CaptionWords {
  const sevWords: Record<PhantomClass, readonly [readonly string[], readonly string[], readonly string[]]> = {
    Nodule: [['small'], [''], ['large']],
    Consolidation: [['mild'], ['moderate'], ['extensive']],
    Atelectasis: [['mild', 'minimal'], ['moderate'], ['extensive']],
    'Pleural Effusion': [['small'], ['moderate'], ['large']],
    Cardiomegaly: [['mild'], ['moderate'], ['severe']],
    Pneumothorax: [['small'], ['moderate'], ['large']],
    Edema: [['mild'], ['moderate'], ['severe']],
  };
  return {
    side: s.side ?? '',
    zone: s.zone ?? '',
    subtype: s.subtype ?? '',
    sev: pick(rng, bySeverity(s.severity, sevWords[s.class])),
    adverb: bySeverity(s.severity, ['mildly', 'moderately', 'severely']),
  };
}

/** Collapses runs of spaces left by empty words and trims. */
function tidy(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * One or two captions of a finding, from its class's templates, chosen by `rng`.
 *
 * @param rng - the caption stream
 * @param subject - the finding's attributes
 * @returns distinct captions
 */
export function captionsFor(rng: SeededRandom, subject: CaptionSubject): string[] {
  const templates = [...CAPTION_TEMPLATES[subject.class]];
  const n = 1 + rng.integer(2);
  const out: string[] = [];
  for (let k = 0; k < n && templates.length > 0; k++) {
    const template = templates.splice(rng.integer(templates.length), 1)[0]!;
    const text = tidy(template(wordsFor(rng, subject)));
    if (!out.includes(text)) out.push(text);
  }
  return out;
}

/**
 * One or two captions of a normal study.
 *
 * @param rng - the caption stream
 * @returns distinct captions, `no finding` among them more often than not
 */
export function normalCaptions(rng: SeededRandom): string[] {
  const first = rng.uniform() < 0.6 ? 'no finding' : pick(rng, NORMAL_CAPTIONS);
  const second = pick(rng, NORMAL_CAPTIONS);
  return rng.uniform() < 0.5 || second === first ? [first] : [first, second];
}
