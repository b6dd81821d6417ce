import { describe, expect, it } from 'vitest';
import { builtinPromptSets, chexpert5, covid, labels, PROMPT_SET_NAMES, rsna } from './sets.js';
import { CHEXPERT_CLASS_TEMPLATES } from './templates.js';

/** First and last terms of each list, joined: the first and last prompt MedCLIP's nested loops give. */
function ends(terms: Readonly<Record<string, readonly string[]>>): [string, string] {
  const lists = Object.values(terms);
  return [lists.map((l) => l[0]!).join(' '), lists.map((l) => l[l.length - 1]!).join(' ')];
}

describe('chexpert5', () => {
  it('has MedCLIP’s sizes', () => {
    expect(Object.fromEntries(Object.entries(chexpert5).map(([k, v]) => [k, v.length]))).toEqual({
      Atelectasis: 210,
      Cardiomegaly: 15,
      Consolidation: 192,
      Edema: 18,
      'Pleural Effusion': 54,
    });
  });

  it('starts and ends each class with the first and last terms of its lists', () => {
    for (const [name, prompts] of Object.entries(chexpert5)) {
      const [first, last] = ends(CHEXPERT_CLASS_TEMPLATES[name]!);
      expect(prompts[0]).toBe(first);
      expect(prompts[prompts.length - 1]).toBe(last);
    }
  });

  it('spells them out, spaces included', () => {
    const firstLast = Object.fromEntries(Object.entries(chexpert5).map(([k, v]) => [k, [v[0], v[v.length - 1]]]));
    expect(firstLast).toEqual({
      Atelectasis: [' subsegmental atelectasis at the mid lung zone', 'minimal residual atelectasis at the right lower lobe'],
      Cardiomegaly: [' cardiac silhouette size is upper limits of normal ', ' persistent cardiomegaly with prominent upper lobe vessels '],
      Consolidation: [' bilateral consolidation at the lower lung zone', 'apperance of partial consolidation at the left lung base'],
      Edema: [' pulmonary edema ', 'decreased pulmonary interstitial edema '],
      'Pleural Effusion': [' left bilateral pleural effusion', 'increased tiny bilateral pleural effusion'],
    });
  });

  it('orders prompts as the nested loops do (Atelectasis: severity × 70 + subtype × 10 + location)', () => {
    expect(chexpert5['Atelectasis']![1 * 70 + 1 * 10 + 0]).toBe('mild linear atelectasis at the mid lung zone');
  });

  it('keeps Pleural Effusion’s duplicates: 54 prompts, 36 distinct', () => {
    const pe = chexpert5['Pleural Effusion']!;
    expect(new Set(pe).size).toBe(36);
    expect(pe[0]).toBe(pe[2]);
  });
});

describe('covid and rsna', () => {
  it('have MedCLIP’s class order and prompt counts', () => {
    expect(Object.keys(covid)).toEqual(['Normal', 'COVID']);
    expect(covid['COVID']).toHaveLength(12);
    expect(Object.keys(rsna)).toEqual(['Normal', 'Pneumonia']);
    expect(rsna['Pneumonia']).toHaveLength(312);
  });

  it('start and end with the first and last terms', () => {
    expect(covid['COVID']![0]).toBe('patchy ground glass opacity in peripheral');
    expect(covid['COVID']![11]).toBe('confluent ground glass consolidation in lower');
    expect(rsna['Pneumonia']![0]).toBe('round bacterial at the mid lung zone');
    // adjective '', subtype '', location '': two spaces, kept as MedCLIP builds it
    expect(rsna['Pneumonia']![311]).toBe('  ');
  });

  it('stand in the label "No Finding" for Normal', () => {
    expect(covid['Normal']).toEqual(['No Finding']);
    expect(rsna['Normal']).toEqual(['No Finding']);
  });
});

describe('labels and the registry', () => {
  it('labels are the bare class names', () => {
    expect(labels).toEqual({
      Atelectasis: ['Atelectasis'],
      Cardiomegaly: ['Cardiomegaly'],
      Consolidation: ['Consolidation'],
      Edema: ['Edema'],
      'Pleural Effusion': ['Pleural Effusion'],
    });
  });

  it('names every set', () => {
    expect(PROMPT_SET_NAMES).toEqual(['chexpert5', 'covid', 'rsna', 'labels']);
    expect(builtinPromptSets['chexpert5']).toBe(chexpert5);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(chexpert5)).toBe(true);
    expect(Object.isFrozen(chexpert5['Edema'])).toBe(true);
  });
});
