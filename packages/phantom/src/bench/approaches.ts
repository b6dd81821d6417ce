import { type VlmAdapter, prepareTarget, type PreparedTarget, type PluginRegistry, EnvisionError, tensor, type Tensor } from '@envision/core';
import type { BenchApproach } from './types.js';

/**
 * Averages the rows of each group: row g of the result is the mean of `rows[r]` over `r ∈ groups[g]`.
 *
 * @param rows - `[K, …]` rows
 * @param groups - row indices per group, each non-empty
 * @returns `[G, …]`
 * @throws EnvisionError `E_INPUT` for an empty group or an index out of range
 */
export function groupMeanRows(rows: Tensor<'float32'>, groups: readonly (readonly number[])[]): Tensor<'float32'> {
  const k = rows.shape[0]!;
  const n = rows.data.length / Math.max(1, k);
  const out = new Float32Array(groups.length * n);
  groups.forEach((g, j) => {
    if (g.length === 0) throw new EnvisionError('E_INPUT', `group ${j} has no rows`);
    const acc = new Float64Array(n);
    for (const r of g) {
      if (!(Number.isInteger(r) && r >= 0 && r < k)) throw new EnvisionError('E_INPUT', `group ${j}: row ${r} is out of range (0…${k - 1})`);
      for (let i = 0; i < n; i++) acc[i]! += rows.data[r * n + i]!;
    }
    for (let i = 0; i < n; i++) out[j * n + i] = acc[i]! / g.length;
  });
  return tensor('float32', [groups.length, ...rows.shape.slice(1)], out);
}

/** The rows of each class, in order: class c owns the next `classes[c].prompts.length` rows. */
function classGroups(target: PreparedTarget): number[][] {
  let next = 0;
  return target.classes.map((c) => Array.from({ length: c.prompts.length }, () => next++));
}

/**
 * One map per class for a per-prompt target: the mean over the class's prompts. For a linear fusion (the paper's
 * `dot`) the mean of the prompts' maps is the map of the mean of their cotangents, so this is one row per class.
 *
 * @param target - a prepared per-prompt target
 * @returns the same target with one row (weights, score, label) per class
 */
export function perClassTarget(target: PreparedTarget): PreparedTarget {
  const groups = classGroups(target);
  return {
    ...target,
    labels: target.classes.map((c) => c.name),
    at(embedding) {
      const { weights, scores } = target.at(embedding);
      const classScores = groupMeanRows(tensor('float32', [scores.length], Float32Array.from(scores)), groups).data;
      return { weights: groupMeanRows(weights, groups), scores: classScores };
    },
  };
}

/**
 * The two approaches of the study as prepared targets with one row per class, in the prompt set's class order:
 * - `baseline`: `target: classifier` with the `max` fusion on cosine logits — MedCLIP's PromptClassifier
 *   (`ensemble=False`): class logit = max over the class's prompts of τ · cos(t, e); a nonlinear head, explained
 *   exactly at every point the method evaluates;
 * - `proposed`: `target: embedding` with the paper's `dot` fusion (τ · ⟨t̂, e⟩, normalised text), one map per
 *   prompt, averaged over the class's prompts ({@link perClassTarget}).
 * Each class's prompts are embedded as one padded batch, as MedCLIP does.
 *
 * @param adapter - the model
 * @param registry - holds core's fusion rules (`max`, `dot`)
 * @param classes - class name → prompts
 * @returns the targets by approach
 */
export async function prepareApproaches(
  adapter: VlmAdapter,
  registry: PluginRegistry,
  classes: Readonly<Record<string, readonly string[]>>,
): Promise<Record<BenchApproach, PreparedTarget>> {
  const baseline = await prepareTarget({ name: 'baseline', target: 'classifier', classes, fusion: { id: 'max', options: { logits: 'cosine' } } }, adapter, registry, 0);
  const proposed = await prepareTarget({ name: 'proposed', target: 'embedding', classes, fusion: { id: 'dot', options: { normalizeText: true } } }, adapter, registry, 0);
  return { baseline, proposed: perClassTarget(proposed) };
}
