import { describe, expect, it } from 'vitest';
import { CHEXPERT_CLASS_TEMPLATES, CHEXPERT_COMPETITION_TASKS, expandTemplate } from './templates.js';

describe('expandTemplate', () => {
  it('is the Cartesian product in key order, the first list varying slowest', () => {
    expect(expandTemplate({ a: ['1', '2'], b: ['x', 'y', 'z'] })).toEqual(['1 x', '1 y', '1 z', '2 x', '2 y', '2 z']);
  });

  it('keeps the spaces empty terms leave', () => {
    expect(expandTemplate({ a: ['', 'mild'], b: ['edema'], c: [''] })).toEqual([' edema ', 'mild edema ']);
  });

  it('keeps duplicates', () => {
    expect(expandTemplate({ a: ['x', 'x'] })).toEqual(['x', 'x']);
  });

  it('follows the key order of the object, not the alphabet', () => {
    expect(expandTemplate({ severity: ['s'], location: ['l'], subtype: ['t'] })).toEqual(['s l t']);
  });
});

describe('MedCLIP term lists', () => {
  it('cover the CheXpert competition classes in order', () => {
    expect(Object.keys(CHEXPERT_CLASS_TEMPLATES)).toEqual([...CHEXPERT_COMPETITION_TASKS]);
  });

  it('order Pleural Effusion severity, location, subtype and the others severity, subtype, location', () => {
    expect(Object.keys(CHEXPERT_CLASS_TEMPLATES['Pleural Effusion']!)).toEqual(['severity', 'location', 'subtype']);
    for (const name of ['Atelectasis', 'Cardiomegaly', 'Consolidation', 'Edema']) {
      expect(Object.keys(CHEXPERT_CLASS_TEMPLATES[name]!)).toEqual(['severity', 'subtype', 'location']);
    }
  });

  it('list one Pleural Effusion subtype twice, as MedCLIP does', () => {
    expect(CHEXPERT_CLASS_TEMPLATES['Pleural Effusion']!['subtype']).toEqual([
      'bilateral pleural effusion',
      'subpulmonic pleural effusion',
      'bilateral pleural effusion',
    ]);
  });
});
