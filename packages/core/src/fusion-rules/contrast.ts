import { EnvisionError, tensor } from '@envision/onnx-grad';
import type { FusionInput, FusionRule } from '../fusion.js';
import { type LogitKind, logits, logitsOption } from './logits.js';

/** Options of the `contrast` fusion rule. */
export interface ContrastFusionOptions {
  /** @default 'cosine' */
  readonly logits: LogitKind;
}

function pair(input: FusionInput<ContrastFusionOptions>) {
  const l = logits(input, input.options.logits);
  if (l.k !== 2) throw new EnvisionError('E_CONFIG', `the contrast fusion needs exactly 2 texts (A, B), got ${l.k}`);
  return l;
}

/** Prompt A against prompt B: s = s_A − s_B, c = c_A − c_B (one map: what makes the image more A than B). */
export const contrastFusion: FusionRule<ContrastFusionOptions> = {
  meta: {
    id: 'contrast',
    description: 'The logit of the first text minus that of the second: what makes the image more A than B.',
    linear: false,
    optionsSchema: { type: 'object', properties: { logits: logitsOption }, additionalProperties: false },
    defaultOptions: { logits: 'cosine' },
  },
  rows: () => 1,
  scores(input) {
    const { scores } = pair(input);
    return Float32Array.of(scores[0]! - scores[1]!);
  },
  cotangents(input) {
    const { cotangents, m } = pair(input);
    return tensor('float32', [1, m], Float32Array.from({ length: m }, (_, i) => cotangents[i]! - cotangents[m + i]!));
  },
};
