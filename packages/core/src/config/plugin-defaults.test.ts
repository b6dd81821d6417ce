import { describe, expect, it } from 'vitest';
import { withPluginDefaults } from './plugin-defaults.js';

const parts = {
  methods: [{ id: 'ig', optionsSchema: {}, defaultOptions: { steps: 50, baseline: { kind: 'zeros' } } }],
  adapters: [{ id: 'medclip', optionsSchema: {}, defaultOptions: { device: 'cpu' } }],
  fusions: [{ id: 'dot', optionsSchema: {}, defaultOptions: {} }, { id: 'softmax', optionsSchema: {}, defaultOptions: { temperature: 1 } }],
};

describe('withPluginDefaults', () => {
  it('merges defaults under the given options, on a copy', () => {
    const data = {
      model: { adapter: 'medclip', bundle: 'b' },
      methods: [{ id: 'ig', options: { steps: 20 } }, { id: 'ig' }, { id: 'other' }],
      targets: [{ name: 'a', texts: ['x'] }, { name: 'b', texts: ['x'], fusion: { id: 'softmax' } }, { name: 'c', dimensions: [0] }],
    };
    const before = structuredClone(data);
    expect(withPluginDefaults(data, parts)).toEqual({
      model: { adapter: 'medclip', device: 'cpu', bundle: 'b' },
      methods: [
        { id: 'ig', options: { steps: 20, baseline: { kind: 'zeros' } } },
        { id: 'ig', options: { steps: 50, baseline: { kind: 'zeros' } } },
        { id: 'other' },
      ],
      targets: [
        { name: 'a', texts: ['x'], fusion: { id: 'dot', options: {} } },
        { name: 'b', texts: ['x'], fusion: { id: 'softmax', options: { temperature: 1 } } },
        { name: 'c', dimensions: [0] },
      ],
    });
    expect(data).toEqual(before);
  });

  it('does not share the default objects', () => {
    const out = withPluginDefaults({ methods: [{ id: 'ig' }] }, parts) as { methods: { options: { baseline: unknown } }[] };
    expect(out.methods[0]!.options.baseline).not.toBe(parts.methods[0]!.defaultOptions.baseline);
  });

  it('leaves values of the wrong shape alone', () => {
    expect(withPluginDefaults(3, parts)).toBe(3);
    expect(withPluginDefaults({ methods: [{ id: 'ig', options: 5 }] }, parts)).toEqual({ methods: [{ id: 'ig', options: 5 }] });
  });
});
