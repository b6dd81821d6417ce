import type { FusionInput, FusionRule } from '../fusion.js';
import { tensor } from '@envision/onnx-grad';
import { type LogitKind, logits, logitsOption } from './logits.js';

/** Options of the `mean` and `max` ensemble fusion rules. */
export interface EnsembleFusionOptions {
  /** @default 'cosine' */
  readonly logits: LogitKind;
}

/** The groups of text rows (the prompts of each class); one group of all texts when none are given. */
function groupsOf(input: FusionInput<EnsembleFusionOptions>, k: number): readonly (readonly number[])[] {
  return input.groups ?? [Array.from({ length: k }, (_, i) => i)];
}

/**
 * MedCLIP's PromptClassifier as a fusion: each group (class) of prompts is reduced to one scalar — the mean of its
 * prompts' logits (`ensemble=True`) or their maximum (`ensemble=False`, MedCLIP's default) — whose cotangent is the
 * mean of the prompts' cotangents, or the arg-max prompt's.
 */
function ensemble(id: 'mean' | 'max'): FusionRule<EnsembleFusionOptions> {
  const reduce = (input: FusionInput<EnsembleFusionOptions>) => {
    const l = logits(input, input.options.logits);
    const groups = groupsOf(input, l.k);
    return groups.map((g) => {
      if (id === 'mean') return { score: g.reduce((s, r) => s + l.scores[r]!, 0) / g.length, weights: g.map((r) => [r, 1 / g.length] as const) };
      const best = g.reduce((a, r) => (l.scores[r]! > l.scores[a]! ? r : a), g[0]!);
      return { score: l.scores[best]!, weights: [[best, 1] as const] };
    }).map((x) => ({ ...x, l }));
  };
  return {
    meta: {
      id,
      description: id === 'mean' ? "Mean of each class's prompt logits (MedCLIP's PromptClassifier, ensemble=True)." : "Maximum of each class's prompt logits (MedCLIP's PromptClassifier default).",
      linear: false,
      optionsSchema: { type: 'object', properties: { logits: logitsOption }, additionalProperties: false },
      defaultOptions: { logits: 'cosine' },
    },
    rows: (k, groups) => (groups ?? [k]).length,
    scores: (input) => Float32Array.from(reduce(input), (x) => x.score),
    cotangents(input) {
      const rows = reduce(input);
      const m = rows[0]!.l.m;
      const out = new Float32Array(rows.length * m);
      rows.forEach(({ weights, l }, r) => {
        for (const [t, w] of weights) for (let i = 0; i < m; i++) out[r * m + i]! += w * l.cotangents[t * m + i]!;
      });
      return tensor('float32', [rows.length, m], out);
    },
  };
}

/** `mean` ensemble: MedCLIP's PromptClassifier with ensemble=True. */
export const meanFusion: FusionRule<EnsembleFusionOptions> = ensemble('mean');
/** `max` ensemble: MedCLIP's PromptClassifier default (ensemble=False). */
export const maxFusion: FusionRule<EnsembleFusionOptions> = ensemble('max');
