import { describe, it, expect } from 'vitest';
import { PHANTOM_CLASSES, isPhantomClass, phantomClassSlug } from './types.js';

describe('phantom classes', () => {
  it('are the CheXpert-5 labels plus Nodule and Pneumothorax, with distinct file-name slugs', () => {
    for (const c of ['Atelectasis', 'Cardiomegaly', 'Consolidation', 'Edema', 'Pleural Effusion', 'Nodule', 'Pneumothorax']) expect(isPhantomClass(c)).toBe(true);
    expect(isPhantomClass('pleural effusion')).toBe(false);
    expect(phantomClassSlug('Pleural Effusion')).toBe('pleural-effusion');
    expect(new Set(PHANTOM_CLASSES.map(phantomClassSlug)).size).toBe(PHANTOM_CLASSES.length);
    for (const c of PHANTOM_CLASSES) expect(phantomClassSlug(c)).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });
});
