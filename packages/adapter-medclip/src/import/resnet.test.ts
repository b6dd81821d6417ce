import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type StateDict, readCheckpoint, Weights } from '@envision/import';
import { buildResNetVision } from './resnet.js';

// The numbers are checked against torch in index.test.ts; here, structure and errors.
const CHECKPOINT = fileURLToPath(new URL('../../../../fixtures/checkpoints/medclip-resnet-tiny.zip', import.meta.url));
let sd: StateDict;
beforeAll(async () => {
  sd = await readCheckpoint(CHECKPOINT);
});

describe('buildResNetVision', () => {
  it('reads blocks and widths from the keys and folds every BatchNorm', () => {
    const w = new Weights(sd, 'ck');
    const g = buildResNetVision(w).graph!;
    expect(g.input[0]!.type!.tensor_type!.shape!.dim.map((d) => d.dim_value ?? d.dim_param)).toEqual(['batch', 3, 224, 224]);
    expect(g.output[0]!.type!.tensor_type!.shape!.dim.map((d) => d.dim_value ?? d.dim_param)).toEqual(['batch', 64]);
    // stem + 5 blocks × 3 convs + 4 downsamples; no BatchNormalization node
    expect(g.node.filter((n) => n.op_type === 'Conv')).toHaveLength(1 + 15 + 4);
    expect(g.node.some((n) => n.op_type === 'BatchNormalization')).toBe(false);
    expect(() => w.checkAllUsed(['vision_model.'])).not.toThrow();
  });

  it('names a missing key and an unexpected one', () => {
    const m = new Map(sd);
    m.delete('vision_model.model.layer3.0.bn2.running_var');
    expect(() => buildResNetVision(new Weights(m, 'ck'))).toThrow("ck: missing key 'vision_model.model.layer3.0.bn2.running_var'");
    const n = new Map(sd);
    n.set('vision_model.model.layer9.weight', sd.get('logit_scale')!);
    const w = new Weights(n, 'ck');
    buildResNetVision(w);
    expect(() => w.checkAllUsed(['vision_model.'])).toThrow("ck: unexpected key 'vision_model.model.layer9.weight'");
  });
});
