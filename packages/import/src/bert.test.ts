import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildBertText } from './bert.js';
import { type StateDict, readCheckpoint } from './checkpoint/index.js';
import { Weights } from './weights.js';

// The numbers are checked against torch in index.test.ts; here, sizes and errors.
const CHECKPOINT = fileURLToPath(new URL('../../../fixtures/checkpoints/medclip-resnet-tiny.zip', import.meta.url));
let sd: StateDict;
beforeAll(async () => {
  sd = await readCheckpoint(CHECKPOINT);
});
const edited = (f: (m: Map<string, NonNullable<ReturnType<StateDict['get']>>>) => void) => {
  const m = new Map(sd);
  f(m);
  return new Weights(m, 'ck');
};

describe('buildBertText', () => {
  it('reads its sizes from the weights: int64 [batch, sequence] in, [batch, M] out', () => {
    const g = buildBertText(new Weights(sd, 'ck')).graph!;
    expect(g.input.map((i) => i.name)).toEqual(['input_ids', 'attention_mask']);
    expect(g.output[0]!.type!.tensor_type!.shape!.dim.map((d) => d.dim_value ?? d.dim_param)).toEqual(['batch', 64]);
    expect(g.node.filter((n) => n.op_type === 'Softmax')).toHaveLength(3);
    expect(g.node.filter((n) => n.op_type === 'Erf')).toHaveLength(3);
  });

  it('names a missing or misshapen key, and an impossible head count', () => {
    expect(() => buildBertText(edited((m) => m.delete('text_model.model.encoder.layer.1.attention.self.key.bias')))).toThrow(
      "ck: missing key 'text_model.model.encoder.layer.1.attention.self.key.bias'",
    );
    expect(() => buildBertText(edited((m) => m.set('text_model.projection_head.weight', m.get('text_model.model.pooler.dense.weight')!)))).not.toThrow();
    expect(() => buildBertText(edited((m) => m.set('text_model.model.encoder.layer.0.output.dense.bias', m.get('text_model.projection_head.weight')!)))).toThrow(
      "ck: 'text_model.model.encoder.layer.0.output.dense.bias' has shape [64, 128], expected [128]",
    );
    expect(() => buildBertText(new Weights(sd, 'ck'), { heads: 3 })).toThrow('ck: hidden size 128 is not a multiple of 3 heads');
    expect(buildBertText(new Weights(sd, 'ck'), { heads: 4 }).graph!.initializer.find((t) => t.name === 'split_heads')!.raw_data!.byteLength).toBe(32);
  });
});
