import { describe, it, expect } from 'vitest';
import { SeededRandom } from '@envision/core';
import { CAPTION_TEMPLATES, type CaptionSubject, NORMAL_CAPTIONS, captionsFor, normalCaptions } from './captions.js';
import { PHANTOM_CLASSES, type PhantomSide, type PhantomZone } from './types.js';

/** Words that name a zone in a caption. */
const ZONE_WORDS: Record<PhantomZone, RegExp> = {
  upper: /\b(upper|apical|apex)\b/,
  mid: /\b(mid|middle|perihilar)\b/,
  lower: /\b(lower|base|bases|basal|basilar)\b/,
};

function subjects(): CaptionSubject[] {
  const out: CaptionSubject[] = [];
  for (const cls of PHANTOM_CLASSES) {
    for (const severity of ['mild', 'moderate', 'severe'] as const) {
      const sides: (PhantomSide | null)[] = cls === 'Cardiomegaly' ? [null] : cls === 'Edema' ? ['bilateral'] : cls === 'Pleural Effusion' ? ['left', 'right', 'bilateral'] : ['left', 'right'];
      const zones: (PhantomZone | null)[] = cls === 'Cardiomegaly' ? [null] : cls === 'Edema' ? ['mid'] : cls === 'Pleural Effusion' ? ['lower'] : ['upper', 'mid', 'lower'];
      const subtype = cls === 'Atelectasis' ? 'plate-like' : cls === 'Consolidation' ? 'patchy' : null;
      for (const side of sides) for (const zone of zones) out.push({ class: cls, side, zone, severity, subtype });
    }
  }
  return out;
}

describe('captionsFor', () => {
  it('mentions the side and (for focal findings, pneumothorax and edema) the zone in every caption', () => {
    const rng = new SeededRandom(1);
    for (const s of subjects()) {
      for (let k = 0; k < 20; k++) {
        const captions = captionsFor(rng, s);
        expect(captions.length).toBeGreaterThanOrEqual(1);
        expect(captions.length).toBeLessThanOrEqual(2);
        expect(new Set(captions).size).toBe(captions.length);
        for (const c of captions) {
          expect(c).toBe(c.trim());
          expect(c).not.toMatch(/\s{2}/);
          expect(c).toBe(c.toLowerCase());
          if (s.side) expect(c).toContain(s.side);
          if (s.zone && s.class !== 'Pleural Effusion') expect(c).toMatch(ZONE_WORDS[s.zone]);
          if (s.subtype && /atelectasis|consolidation/.test(c)) expect(c).toContain(s.subtype);
        }
      }
    }
  });
  it('names the finding: atelectasis, consolidation/opacity, effusion, cardiomegaly/cardiac silhouette, nodule, pneumothorax, edema', () => {
    const names: Record<string, RegExp> = {
      Atelectasis: /atelectasis/,
      Consolidation: /consolidation|opacity/,
      'Pleural Effusion': /pleural effusion/,
      Cardiomegaly: /cardiomegaly|cardiac silhouette|heart size/,
      Nodule: /nodule/,
      Pneumothorax: /pneumothorax/,
      Edema: /edema|haze/,
    };
    const rng = new SeededRandom(2);
    for (const s of subjects()) for (const c of captionsFor(rng, s)) expect(c).toMatch(names[s.class]!);
  });
  it('reads like MedCLIP prompts', () => {
    const rng = new SeededRandom(3);
    const seen = new Set<string>();
    for (let k = 0; k < 400; k++) {
      for (const c of captionsFor(rng, { class: 'Atelectasis', side: 'right', zone: 'lower', severity: 'mild', subtype: 'linear' })) seen.add(c);
      for (const c of captionsFor(rng, { class: 'Pleural Effusion', side: 'left', zone: 'lower', severity: 'moderate', subtype: null })) seen.add(c);
      for (const c of captionsFor(rng, { class: 'Cardiomegaly', side: null, zone: null, severity: 'moderate', subtype: null })) seen.add(c);
      for (const c of captionsFor(rng, { class: 'Nodule', side: 'left', zone: 'upper', severity: 'mild', subtype: null })) seen.add(c);
    }
    for (const c of ['mild linear atelectasis at the right lower lung zone', 'moderate left pleural effusion', 'enlarged cardiac silhouette', 'cardiomegaly', 'small nodule in the left upper lung zone']) {
      expect(seen).toContain(c);
    }
  });
  it('is deterministic for a seed', () => {
    const s: CaptionSubject = { class: 'Consolidation', side: 'left', zone: 'mid', severity: 'severe', subtype: 'airspace' };
    expect(captionsFor(new SeededRandom(9), s)).toEqual(captionsFor(new SeededRandom(9), s));
  });
  it('has templates for every class', () => {
    for (const cls of PHANTOM_CLASSES) expect(CAPTION_TEMPLATES[cls].length).toBeGreaterThanOrEqual(3);
  });
});

describe('normalCaptions', () => {
  it('describes a normal study, usually as "no finding"', () => {
    const rng = new SeededRandom(4);
    let noFinding = 0;
    for (let k = 0; k < 500; k++) {
      const captions = normalCaptions(rng);
      for (const c of captions) expect(NORMAL_CAPTIONS).toContain(c);
      if (captions.includes('no finding')) noFinding++;
    }
    expect(noFinding).toBeGreaterThan(250);
  });
});
