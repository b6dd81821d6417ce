import { describe, it, expect } from 'vitest';
import { tensor } from '@envision/onnx-grad';
import type { VlmAdapter } from '../adapter.js';
import { corePlugins } from '../fusion-rules/index.js';
import { PluginRegistry } from '../registry.js';
import { groupWarnings, prepareTarget } from './targets.js';
import type { ExperimentTarget } from '../config/experiment.js';

const registry = new PluginRegistry();
registry.addPlugins(corePlugins, '@envision/core');
const rule = (id: string) => registry.get('fusion', id).plugin;

/** An adapter whose text embeddings are a fixed function of the text (width 4), or of a wrong width. */
function textAdapter(width = 4): VlmAdapter {
  return {
    id: 'toy',
    embeddingDim: 4,
    logitScale: Math.log(100),
    encodeText: (texts) => Promise.resolve(tensor('float32', [texts.length, width], Float32Array.from({ length: texts.length * width }, (_, i) => Math.cos(i + texts[Math.floor(i / width)]!.length)))),
  } as VlmAdapter;
}
const classifier = (fusion: string): ExperimentTarget =>
  ({ name: 'findings', target: 'classifier', classes: { edema: ['edema', 'lung edema'], effusion: ['pleural effusion', 'effusion'] }, fusion: { id: fusion, options: {} } }) as unknown as ExperimentTarget;

describe('a classifier target fused by a rule that ignores class groups', () => {
  it('warns when a class has several prompts, naming the target, the rule and the fix', async () => {
    const target = await prepareTarget(classifier('softmax'), textAdapter(), registry, 0);
    expect(target.labels).toHaveLength(4);
    expect(target.warnings).toEqual([
      "targets findings: fusion 'softmax' ignores class groups, so this classifier target explains each of its 4 prompts rather than its 2 classes (prompts of one class compete with each other); use an ensemble rule (mean or max) for one score per class",
    ]);
  });

  it('is silent for an ensemble rule, for one prompt per class and for the proposed (embedding) target', async () => {
    expect((await prepareTarget(classifier('mean'), textAdapter(), registry, 0)).warnings).toEqual([]);
    expect(groupWarnings('t', rule('softmax'), [{ name: 'a', prompts: ['a'] }, { name: 'b', prompts: ['b'] }])).toEqual([]);
    const embedding = { ...classifier('softmax'), target: 'embedding' } as ExperimentTarget;
    expect((await prepareTarget(embedding, textAdapter(), registry, 0)).warnings).toEqual([]);
  });

  it("checks the width of the adapter's text embeddings", async () => {
    await expect(prepareTarget(classifier('mean'), textAdapter(5), registry, 0)).rejects.toThrow(
      "adapter 'toy': encodeText returned float32 [2, 5] for 2 texts, expected float32 [2, 4] (embeddingDim 4)",
    );
  });
});
