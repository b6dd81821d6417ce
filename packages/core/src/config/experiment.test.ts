import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildExperiment } from './experiment.js';

describe('buildExperiment', () => {
  const dir = join('/', 'work', 'exp');
  const file = join(dir, 'demo.v2.yaml');

  it('applies the core defaults and resolves paths against the folder', () => {
    const data = {
      model: { adapter: 'medclip', bundle: '../b' },
      images: ['a.png', '/abs/b.png'],
      methods: [{ id: 'occlusion', options: { window: [1, 1, 1] } }, { id: 'saliency' }],
      targets: [{ name: 'd', dimensions: [0] }, { name: 't', texts: ['x'] }],
    };
    expect(buildExperiment(data, file, dir)).toEqual({
      configFile: file,
      baseDir: dir,
      plugins: [],
      model: { adapter: 'medclip', bundle: '../b' },
      images: [join(dir, 'a.png'), join('/', 'abs', 'b.png')],
      methods: [
        { id: 'occlusion', name: 'occlusion', options: { window: [1, 1, 1] } },
        { id: 'saliency', name: 'saliency', options: {} },
      ],
      targets: [{ name: 'd', dimensions: [0] }, { name: 't', target: 'embedding', texts: ['x'], fusion: { id: 'dot', options: {} }, explain: 'image' }],
      strategy: 'auto',
      output: { dir: join(dir, 'runs', 'demo.v2'), signs: ['all'], outlierPerc: 2, alpha: 0.5 },
      seed: 0,
      sanity: { steps: 'both', layers: 'all', seed: 42, similarity: ['spearman', 'ssim'], randomPrompt: true },
    });
  });

  it('does not share objects with the data', () => {
    const data = { model: { adapter: 'm' }, images: ['a'], methods: [{ id: 'x', options: { a: [1] } }], targets: [{ name: 'd', dimensions: [0] }] };
    const config = buildExperiment(data, file, dir);
    expect(config.methods[0]!.options['a']).not.toBe(data.methods[0]!.options.a);
  });
});
