import { describe, it, expect } from 'vitest';
import type { Model } from '@envision/onnx-grad';
import type { AdapterPlugin, VlmAdapter } from '../adapter.js';
import type { AttributionMethod } from '../method.js';
import { definePlugins } from '../plugins.js';
import { PluginRegistry } from '../registry.js';
import { gradientMethodIds, loadCheckedAdapter } from './load-adapter.js';
import type { Experiment } from '../config/experiment.js';

const forwardOnly: Model = {
  inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', 3, 4, 4] }],
  outputs: [{ name: 'e', dtype: 'float32', shape: ['batch', 8] }],
  run: () => Promise.reject(new Error('not called')),
};
const method = (id: string, kind: 'gradient' | 'perturbation'): AttributionMethod => ({
  meta: { id, kind, optionsSchema: { type: 'object' }, defaultOptions: {}, description: id, paper: '-' },
  attribute: () => Promise.reject(new Error('not called')),
});

function setUp() {
  const disposed: string[] = [];
  const toy: AdapterPlugin = {
    meta: { id: 'toy', optionsSchema: { type: 'object' }, description: 'toy' },
    load: () =>
      Promise.resolve({
        id: 'toy',
        embeddingDim: 8,
        logitScale: 0,
        vision: { model: forwardOnly, input: 'x', output: 'e' },
        preprocessImage: () => Promise.reject(new Error('not called')),
        encodeImage: () => Promise.reject(new Error('not called')),
        encodeText: () => Promise.reject(new Error('not called')),
        dispose: () => {
          disposed.push('toy');
          return Promise.resolve();
        },
      } as unknown as VlmAdapter),
  };
  const registry = new PluginRegistry();
  registry.addPackage(definePlugins({ adapters: [toy], methods: [method('ig', 'gradient'), method('occlusion', 'perturbation')] }), 'envision-toy');
  return { registry, disposed };
}
const plan = (...methods: string[]) => ({ model: { adapter: 'toy' }, methods: methods.map((id) => ({ id, name: id, options: {} })), baseDir: '.' }) as unknown as Experiment;

describe('loading the model of an experiment', () => {
  it('lists the gradient methods once each', () => {
    const { registry } = setUp();
    expect(gradientMethodIds(plan('occlusion', 'ig', 'ig'), registry)).toEqual(['ig']);
  });

  it('loads and checks the adapter: a forward-only vision model serves perturbation methods', async () => {
    const { registry, disposed } = setUp();
    expect((await loadCheckedAdapter(plan('occlusion'), registry)).id).toBe('toy');
    expect(disposed).toEqual([]);
  });

  it('refuses it for gradient methods, naming the package, and disposes what it loaded', async () => {
    const { registry, disposed } = setUp();
    await expect(loadCheckedAdapter(plan('occlusion', 'ig'), registry)).rejects.toThrow("adapter 'toy' (envision-toy): the vision model has no gradients, which ig need");
    expect(disposed).toEqual(['toy']);
  });
});
