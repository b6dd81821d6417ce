import { createHash } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import { EnvisionError } from '@envision/core';
import { generatePhantom } from './generate.js';
import { lungInfo, zoneAt } from './lung-geometry.js';
import { boxOf, centroidOf, dilate } from './raster.js';
import { PHANTOM_CLASSES, type Phantom, type PhantomClass } from './types.js';

const size = 224;
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

function caught(f: () => unknown): EnvisionError {
  try {
    f();
  } catch (e) {
    return e as EnvisionError;
  }
  throw new Error('expected a throw');
}

/** Mean of `image` over a mask (or where `pick` holds). */
function meanWhere(image: Uint8Array, pick: (i: number) => boolean): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < image.length; i++) if (pick(i)) {
    s += image[i]!;
    n++;
  }
  return s / n;
}

describe('generatePhantom: determinism', () => {
  it('gives identical bytes for the same seed and different images for different seeds', () => {
    const a = generatePhantom(42);
    const b = generatePhantom(42);
    expect(same(a.image, b.image)).toBe(true);
    expect(same(a.bodyMask, b.bodyMask)).toBe(true);
    expect(a.captions).toEqual(b.captions);
    expect(a.findings.map((f) => [f.class, f.box, sha(f.mask)])).toEqual(b.findings.map((f) => [f.class, f.box, sha(f.mask)]));
    const images = new Set([0, 1, 2, 3, 42, 43].map((s) => sha(generatePhantom(s).image)));
    expect(images.size).toBe(6);
  });
  it('reproduces pinned images (the same bytes on every machine; update the hashes only when changing the generator on purpose)', () => {
    const a = generatePhantom(0);
    expect(sha(a.image)).toBe('5ae10209e9c588904bf26d5572dfaf9f1d5a4c8cea14cfad9749cb6edf8a6dcc');
    expect(a.captions).toEqual(['no finding', 'no focal consolidation, pleural effusion or pneumothorax']);
    const b = generatePhantom(123, { size: 128, findings: ['Pneumothorax', 'Nodule'] });
    expect(sha(b.image)).toBe('60eb5c3d319cff76c4e8bfdfe5c225779774a6d8f67986f1608c984d693ee1ef');
    expect(sha(b.findings[0]!.mask)).toBe('6c21c3424db93267b442f6b2112e04aa0eb629ca051b6d171862cf1b7b145c1c');
  });
  it('uses only the seed: no global random state', () => {
    const before = sha(generatePhantom(7).image);
    Math.random();
    generatePhantom(8);
    expect(sha(generatePhantom(7).image)).toBe(before);
  });
});

describe('generatePhantom: ground truth', () => {
  const phantoms: Phantom[] = Array.from({ length: 40 }, (_, s) => generatePhantom(s));

  it('has 0–2 non-overlapping findings inside the body, with tight boxes and zones measured on the masks', () => {
    let total = 0;
    for (const p of phantoms) {
      expect(p.image.length).toBe(size * size);
      expect(p.findings.length).toBeLessThanOrEqual(2);
      const right = lungInfo(p.anatomy.rightLung, size, 'right');
      const left = lungInfo(p.anatomy.leftLung, size, 'left');
      p.findings.forEach((f, k) => {
        total++;
        expect(f.mask.some((v, i) => v === 1 && p.bodyMask[i] === 0)).toBe(false);
        expect(boxOf(f.mask, size)).toEqual(f.box);
        if (f.class !== 'Cardiomegaly') {
          const lungs = (i: number) => p.anatomy.rightLung[i] === 1 || p.anatomy.leftLung[i] === 1;
          expect(f.mask.some((v, i) => v === 1 && !lungs(i))).toBe(false);
        }
        if (f.side === 'left' || f.side === 'right') {
          const lung = f.side === 'left' ? left : right;
          expect(f.mask.some((v, i) => v === 1 && lung.mask[i] === 0)).toBe(false);
          expect(f.zone).toBe(zoneAt(lung, centroidOf(f.mask, size).y));
        }
        for (const g of p.findings.slice(k + 1)) expect(f.mask.some((v, i) => v === 1 && g.mask[i] === 1)).toBe(false);
      });
      expect(p.labels).toEqual(p.findings.length ? p.findings.map((f) => f.class) : ['No Finding']);
      if (p.findings.length) expect(p.captions).toEqual(p.findings.flatMap((f) => f.captions));
      for (const d of p.distractors) {
        expect(d.mask.some((v, i) => v === 1 && p.bodyMask[i] === 1)).toBe(false);
        expect(boxOf(d.mask, size)).toEqual(d.box);
      }
    }
    expect(total).toBeGreaterThan(30);
  });

  it('looks like a chest radiograph: dark background, lungs darker than soft tissue, heart brighter than lungs and right of centre', () => {
    for (const p of phantoms) {
      const lungs = (i: number) => p.anatomy.rightLung[i] === 1 || p.anatomy.leftLung[i] === 1;
      const lung = meanWhere(p.image, lungs);
      const tissue = meanWhere(p.image, (i) => p.bodyMask[i] === 1 && !lungs(i) && !p.anatomy.heart[i]);
      const heart = meanWhere(p.image, (i) => p.anatomy.heart[i] === 1);
      const background = meanWhere(p.image, (i) => p.bodyMask[i] === 0 && !p.distractors.some((d) => d.mask[i]));
      expect(lung).toBeLessThan(tissue - 40);
      expect(heart).toBeGreaterThan(lung + 40);
      expect(background).toBeLessThan(lung);
      expect(centroidOf(p.anatomy.heart, size).x).toBeGreaterThan(size / 2);
      expect(centroidOf(p.anatomy.rightLung, size).x).toBeLessThan(size / 2);
      const cardiomegaly = p.findings.find((f) => f.class === 'Cardiomegaly');
      if (cardiomegaly) {
        expect(p.anatomy.ctr).toBeGreaterThan(0.5);
        expect(cardiomegaly.ctr).toBe(p.anatomy.ctr);
      } else expect(p.anatomy.ctr).toBeLessThan(0.5);
    }
  });

  it('mentions each lateral finding\'s side in its captions', () => {
    for (const p of phantoms) {
      for (const f of p.findings) {
        expect(f.captions.length).toBeGreaterThan(0);
        if (f.side) for (const c of f.captions) expect(c).toContain(f.side);
      }
      if (!p.findings.length) expect(p.captions.length).toBeGreaterThan(0);
    }
  });
});

describe('generatePhantom: each finding changes its own pixels, in its direction', () => {
  const brighter: PhantomClass[] = PHANTOM_CLASSES.filter((c) => c !== 'Pneumothorax');
  for (const cls of PHANTOM_CLASSES) {
    it(`${cls}: ${cls === 'Pneumothorax' ? 'darker' : 'brighter'} inside the mask than the same patient without it`, () => {
      for (const seed of [0, 1, 2, 3]) {
        const plain = generatePhantom(seed, { findings: [], distractors: false });
        const sick = generatePhantom(seed, { findings: [cls], distractors: false });
        expect(same(plain.bodyMask, sick.bodyMask)).toBe(true);
        const [f] = sick.findings;
        expect(f!.class).toBe(cls);
        const diff = meanWhere(sick.image, (i) => f!.mask[i] === 1) - meanWhere(plain.image, (i) => f!.mask[i] === 1);
        if (brighter.includes(cls)) expect(diff).toBeGreaterThan(cls === 'Atelectasis' || cls === 'Nodule' ? 15 : 8);
        else expect(diff).toBeLessThan(-5);
        if (cls !== 'Cardiomegaly') {
          // Far from the mask, nothing changed (the display's edge enhancement reaches a few pixels).
          const near = dilate(f!.mask, size, 10);
          let changed = 0;
          for (let i = 0; i < size * size; i++) if (!near[i] && plain.image[i] !== sick.image[i]) changed++;
          expect(changed).toBe(0);
        }
      }
    });
  }
});

describe('generatePhantom: options', () => {
  it('draws at other sizes, with everything scaled', () => {
    for (const s of [64, 128, 320]) {
      const p = generatePhantom(5, { size: s, findings: ['Nodule', 'Pleural Effusion'] });
      expect(p.size).toBe(s);
      expect(p.image.length).toBe(s * s);
      expect(p.findings.map((f) => f.class).sort()).toEqual(['Nodule', 'Pleural Effusion']);
      for (const f of p.findings) expect(boxOf(f.mask, s)).toEqual(f.box);
    }
  });
  it('forces findings and counts, and turns distractors on and off', () => {
    for (let seed = 0; seed < 10; seed++) {
      expect(generatePhantom(seed, { count: 2 }).findings).toHaveLength(2);
      expect(generatePhantom(seed, { count: 0 }).captions.length).toBeGreaterThan(0);
      expect(generatePhantom(seed, { distractors: false }).distractors).toEqual([]);
      const kinds = generatePhantom(seed, { distractors: true }).distractors.map((d) => d.kind);
      expect(kinds).toContain('marker');
    }
  });
  it('rejects bad seeds and options with E_CONFIG', () => {
    expect(caught(() => generatePhantom(-1)).code).toBe('E_CONFIG');
    expect(caught(() => generatePhantom(0, { size: 32 })).message).toMatch(/size must be an integer from 64 to 2048, got 32/);
    expect(caught(() => generatePhantom(0, { findings: ['Fracture' as PhantomClass] })).message).toMatch(/unknown phantom finding 'Fracture'/);
    expect(caught(() => generatePhantom(0, { findings: ['Nodule', 'Edema', 'Atelectasis'] })).message).toMatch(/at most 2 findings/);
    expect(caught(() => generatePhantom(0, { findings: ['Nodule', 'Nodule'] })).message).toMatch(/listed twice/);
    expect(caught(() => generatePhantom(0, { count: 3 })).code).toBe('E_CONFIG');
    expect(caught(() => generatePhantom(0, { distractors: ['sticker' as 'tube'] })).code).toBe('E_CONFIG');
  });
  it('is fast: 100 phantoms in well under 20 s', () => {
    const t = performance.now();
    for (let s = 100; s < 200; s++) generatePhantom(s);
    expect(performance.now() - t).toBeLessThan(20_000);
  });
});
