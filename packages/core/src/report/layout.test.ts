import { describe, it, expect } from 'vitest';
import type { RunItem } from '../manifest.js';
import { groupByImage, kindOf, overlaysOf } from './layout.js';

function item(image: string, method: string, target: string, labels: string[], signs = ['all', 'positive']): RunItem {
  return {
    image,
    method,
    target,
    kind: target === 'dims' ? 'dimensions' : 'embedding',
    strategy: 'direct',
    labels,
    scores: labels.map((_, k) => k / 10),
    npy: `${image}/${method}/${target}.npy`,
    overlays: labels.flatMap((_, k) => signs.map((s) => `${image}/${method}/${target}/0${k}-row.${s}.png`)),
    milliseconds: 5,
  };
}

describe('overlaysOf', () => {
  it('assigns rows and signs in the order the run writes them', () => {
    const o = overlaysOf(item('a', 'ig', 'prompts', ['x', 'y']));
    expect(o.map((e) => [e.row, e.label, e.sign, e.score])).toEqual([
      [0, 'x', 'all', 0],
      [0, 'x', 'positive', 0],
      [1, 'y', 'all', 0.1],
      [1, 'y', 'positive', 0.1],
    ]);
    expect(o[3]!.path).toBe('a/ig/prompts/01-row.positive.png');
  });

  it('handles one sign, and file names without a sign', () => {
    expect(overlaysOf(item('a', 'ig', 't', ['x', 'y'], ['absolute_value'])).map((e) => [e.row, e.sign])).toEqual([
      [0, 'absolute_value'],
      [1, 'absolute_value'],
    ]);
    const odd = { ...item('a', 'ig', 't', ['x']), overlays: ['a/x.png'] };
    expect(overlaysOf(odd)[0]!.sign).toBe('overlay');
  });
});

describe('kindOf', () => {
  it('takes the item kind, or guesses it in a manifest without kinds', () => {
    expect(kindOf({ ...item('a', 'ig', 'c', ['x']), kind: 'classifier' })).toBe('classifier');
    const { kind: _k, ...old } = item('a', 'ig', 'd', ['dim 0', 'dim 5']);
    expect(kindOf(old as unknown as RunItem)).toBe('dimensions');
    expect(kindOf({ ...old, labels: ['dim 0', 'mild'] } as unknown as RunItem)).toBe('embedding');
  });
});

describe('groupByImage', () => {
  const items = [
    item('a', 'occlusion', 'dims', ['dim 0']),
    item('a', 'occlusion', 'prompts', ['p', 'q']),
    item('a', 'ig', 'dims', ['dim 0']),
    item('a', 'ig', 'prompts', ['p', 'q']),
    item('b', 'occlusion', 'dims', ['dim 0']),
  ];

  it('groups by image, keeping the order of methods, targets and signs', () => {
    const groups = groupByImage({ items });
    expect(groups.map((g) => g.image)).toEqual(['a', 'b']);
    const a = groups[0]!;
    expect(a.methods).toEqual(['occlusion', 'ig']);
    expect(a.targets.map((t) => [t.name, t.kind, t.labels, t.classes])).toEqual([
      ['dims', 'dimensions', ['dim 0'], []],
      ['prompts', 'embedding', ['p', 'q'], []],
    ]);
    expect(a.signs).toEqual(['all', 'positive']);
    expect(a.items).toHaveLength(4);
    expect(a.overlay('ig', 'prompts', 1, 'positive')?.path).toBe('a/ig/prompts/01-row.positive.png');
    expect(a.overlay('ig', 'prompts', 2, 'positive')).toBeUndefined();
    expect(groups[1]!.methods).toEqual(['occlusion']);
    expect([a.figures, a.perDimension]).toEqual([[], []]);
  });

  it('attaches the target texts, figures and per-dimension maps of each image', () => {
    const groups = groupByImage({
      items,
      targets: [{ name: 'prompts', kind: 'embedding', classes: [{ name: 'prompts', prompts: ['p', 'q'] }] }],
      figures: [
        { image: 'a', target: 'prompts', layout: 'rows-by-methods', png: 'a/figure-prompts.png' },
        { image: 'b', target: 'dims', layout: 'rows-by-methods', png: 'b/figure-dims.png' },
      ],
      perDimension: [{ image: 'b', method: 'occlusion', npy: 'b/occlusion/per-dimension.npy', milliseconds: 9 }],
    });
    expect(groups[0]!.targets[1]!.classes).toEqual([{ name: 'prompts', prompts: ['p', 'q'] }]);
    expect(groups[0]!.figures.map((f) => f.png)).toEqual(['a/figure-prompts.png']);
    expect(groups[0]!.perDimension).toEqual([]);
    expect(groups[1]!.perDimension.map((p) => p.npy)).toEqual(['b/occlusion/per-dimension.npy']);
  });

  it('returns nothing for no items', () => {
    expect(groupByImage({ items: [] })).toEqual([]);
  });
});
