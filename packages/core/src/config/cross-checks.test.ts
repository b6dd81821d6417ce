import { describe, expect, it } from 'vitest';
import { crossCheckIssues } from './cross-checks.js';

const part = (id: string) => ({ id, optionsSchema: {} });
const parts = { methods: [part('occlusion'), part('saliency')], adapters: [part('medclip')], fusions: [part('dot')] };

describe('crossCheckIssues', () => {
  it('accepts known ids and distinct names', () => {
    const data = {
      model: { adapter: 'medclip' },
      methods: [{ id: 'occlusion' }, { id: 'occlusion', name: 'occ-2' }],
      targets: [{ name: 'a', texts: ['x'], fusion: { id: 'dot' } }, { name: 'b' }],
    };
    expect(crossCheckIssues(data, parts)).toEqual([]);
  });

  it('reports unknown ids with a suggestion', () => {
    const data = { model: { adapter: 'x' }, methods: [{ id: 'saliancy' }], targets: [{ name: 'a', fusion: { id: 'dott' } }] };
    expect(crossCheckIssues(data, parts)).toEqual([
      { path: ['model', 'adapter'], message: "unknown adapter 'x' (valid: medclip)" },
      { path: ['methods', 0, 'id'], message: "unknown method 'saliancy'; did you mean 'saliency'? (valid: occlusion, saliency)" },
      { path: ['targets', 0, 'fusion', 'id'], message: "unknown fusion 'dott'; did you mean 'dot'? (valid: dot)" },
    ]);
  });

  it('reports names used twice, counting a method without a name by its id', () => {
    const data = { methods: [{ id: 'occlusion' }, { id: 'saliency', name: 'occlusion' }, { id: 'saliency' }, { id: 'saliency' }], targets: [{ name: 'a' }, { name: 'a' }] };
    expect(crossCheckIssues(data, parts)).toEqual([
      { path: ['methods', 1, 'name'], message: "duplicate method name 'occlusion' (also methods[0])" },
      { path: ['methods', 3, 'id'], message: "duplicate method name 'saliency' (also methods[2]); give each a distinct name" },
      { path: ['targets', 1, 'name'], message: "duplicate target name 'a' (also targets[0])" },
    ]);
  });

  it('skips values of the wrong shape', () => {
    expect(crossCheckIssues(null, parts)).toEqual([]);
    expect(crossCheckIssues({ model: 1, methods: [1, { id: 2 }], targets: 'x' }, parts)).toEqual([]);
  });
});
