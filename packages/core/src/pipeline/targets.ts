import type { VlmAdapter } from '../adapter.js';
import type { TargetKind, TextClass } from '../manifest.js';
import type { ExperimentTarget } from '../config/experiment.js';
import { EnvisionError, sizeOf, tensor, type Tensor } from '@envision/onnx-grad';
import type { FusionRule } from '../fusion.js';
import type { OutputHead } from '../method.js';
import { resolveOptions } from '../options.js';
import { SeededRandom } from '../random.js';
import type { PluginRegistry } from '../registry.js';
import { checkEmbeddings } from '../adapter-check.js';

/** A target ready to be explained for any image: its rows and, at an image embedding, its weights and scores. */
export interface PreparedTarget {
  readonly name: string;
  /** `dimensions` (one-hot rows), `embedding` (fused texts: the proposed approach) or `classifier` (the baseline). */
  readonly kind: TargetKind;
  /** One label per map row: `dim i`, a prompt, or a class name. */
  readonly labels: readonly string[];
  /** The texts embedded, grouped as they were batched (one group per class). */
  readonly classes: readonly TextClass[];
  /** True when the weights do not depend on the image (dimensions, or a linear fusion). */
  readonly linear: boolean;
  /** What the user should know about this target (a classifier target fused by a rule that ignores class groups). */
  readonly warnings: readonly string[];
  /** At image embedding e: cotangent rows `[R, M]` (the weights), scores, and the head for a nonlinear fusion. */
  at(embedding: Float32Array): { weights: Tensor<'float32'>; scores: Float32Array; head?: OutputHead };
}

/** Samples `n` prompts per class without replacement with a seeded generator (all when n is absent or larger). */
export function samplePrompts(
  classes: Readonly<Record<string, readonly string[]>>,
  n: number | undefined,
  seed: number,
): Record<string, string[]> {
  const random = new SeededRandom(seed);
  // Keyed by class names from the user's files: no prototype, so a class named __proto__ is a class like any other.
  const out: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const [name, prompts] of Object.entries(classes)) {
    if (n === undefined || n >= prompts.length) {
      out[name] = [...prompts];
      continue;
    }
    const pool = [...prompts];
    for (let i = 0; i < n; i++) {
      const j = i + random.integer(pool.length - i);
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    out[name] = pool.slice(0, n);
  }
  return out;
}

/** The classes of prompts a text target names, each to be embedded as one padded batch. */
function classesOf(target: Exclude<ExperimentTarget, { dimensions: readonly number[] }>, adapter: VlmAdapter, seed: number) {
  if (target.classes !== undefined) return Object.entries(target.classes).map(([name, prompts]) => ({ name, prompts }));
  if (target.promptSet !== undefined) {
    const sets = adapter.promptSets ?? {};
    const set = Object.hasOwn(sets, target.promptSet) ? sets[target.promptSet] : undefined;
    if (set === undefined) {
      const known = Object.keys(sets);
      throw new EnvisionError('E_CONFIG', `targets ${target.name}: adapter ${adapter.id} has no prompt set '${target.promptSet}' (sets: ${known.join(', ') || 'none'})`);
    }
    return Object.entries(samplePrompts(set, target.n, seed)).map(([name, prompts]) => ({ name, prompts }));
  }
  const texts = target.texts ?? [];
  // Explicit sentences: one batch for the proposed approach; each its own class for the classifier.
  return target.target === 'classifier' ? texts.map((t) => ({ name: t, prompts: [t] })) : [{ name: target.name, prompts: texts }];
}

/**
 * A classifier target explains one score per class; a fusion rule without `rows()` ignores the class groups and gives
 * one row per prompt, so the prompts of one class become competitors (in softmax) and the maps are per prompt. Says so
 * when some class has more than one prompt (with one prompt per class the two readings agree).
 */
export function groupWarnings(name: string, fusion: FusionRule, classes: readonly { name: string; prompts: readonly string[] }[]): string[] {
  if (fusion.rows !== undefined || classes.every((c) => c.prompts.length <= 1)) return [];
  const prompts = classes.reduce((n, c) => n + c.prompts.length, 0);
  return [
    `targets ${name}: fusion '${fusion.meta.id}' ignores class groups, so this classifier target explains each of its ${prompts} prompts ` +
      `rather than its ${classes.length} classes (prompts of one class compete with each other); use an ensemble rule (mean or max) for one score per class`,
  ];
}

/**
 * Prepares a target of an experiment: one-hot rows for `dimensions`; for texts, the text embeddings (one padded batch
 * per class, as MedCLIP embeds a class's prompts) and the fusion rule that turns them into weights — per prompt for
 * the proposed `embedding` target, reduced per class (PromptClassifier ensembles) for the `classifier` baseline.
 */
export async function prepareTarget(target: ExperimentTarget, adapter: VlmAdapter, registry: PluginRegistry, seed: number): Promise<PreparedTarget> {
  const m = adapter.embeddingDim;
  if ('dimensions' in target) {
    const k = target.dimensions.length;
    const data = new Float32Array(k * m);
    target.dimensions.forEach((d, r) => {
      if (d >= m) throw new EnvisionError('E_CONFIG', `targets ${target.name}: dimension ${d} is out of range (the embedding has ${m})`);
      data[r * m + d] = 1;
    });
    const weights = tensor('float32', [k, m], data);
    return {
      name: target.name,
      kind: 'dimensions',
      labels: target.dimensions.map((d) => `dim ${d}`),
      classes: [],
      warnings: [],
      linear: true,
      at: (e) => ({ weights, scores: Float32Array.from(target.dimensions, (d) => e[d]!) }),
    };
  }
  const fusion = registry.get('fusion', target.fusion.id).plugin as FusionRule;
  const options = resolveOptions(fusion.meta, target.fusion.options, `targets ${target.name} fusion options`);
  const classes = classesOf(target, adapter, seed);
  const embedded = await Promise.all(classes.map(async (c) => checkEmbeddings(await adapter.encodeText(c.prompts), c.prompts.length, adapter, 'encodeText')));
  const k = embedded.reduce((n, t) => n + t.shape[0]!, 0);
  const textEmbeddings = tensor('float32', [k, m], new Float32Array(k * m));
  const groups: number[][] = [];
  let row = 0;
  for (const t of embedded) {
    textEmbeddings.data.set(t.data, row * m);
    groups.push(Array.from({ length: t.shape[0]! }, (_, i) => row + i));
    row += t.shape[0]!;
  }
  const classifier = target.target === 'classifier';
  const input = (e: Float32Array) => ({ imageEmbedding: e, textEmbeddings, logitScale: adapter.logitScale, logitBias: adapter.logitBias ?? 0, options, ...(classifier ? { groups } : {}) });
  const rows = fusion.rows?.(k, classifier ? groups : undefined) ?? k;
  const labels = rows === classes.length && classifier ? classes.map((c) => c.name) : rows === k ? classes.flatMap((c) => c.prompts) : [`${fusion.meta.id}`];
  const fixed = fusion.meta.linear ? fusion.cotangents(input(new Float32Array(m))) : undefined;
  const head: OutputHead | undefined = fusion.meta.linear
    ? undefined
    : {
        scores(output) {
          const b = output.shape[0]!;
          const n = sizeOf(output.shape.slice(1));
          const scores = new Float32Array(b * rows);
          for (let j = 0; j < b; j++) scores.set(fusion.scores(input(output.data.subarray(j * n, (j + 1) * n) as Float32Array)), j * rows);
          return scores;
        },
        cotangents: (output) => fusion.cotangents(input(output.data)),
      };
  return {
    name: target.name,
    kind: classifier ? 'classifier' : 'embedding',
    labels,
    classes,
    warnings: classifier ? groupWarnings(target.name, fusion, classes) : [],
    linear: fusion.meta.linear,
    at: (e) => ({ weights: fixed ?? fusion.cotangents(input(e)), scores: fusion.scores(input(e)), ...(head ? { head } : {}) }),
  };
}
