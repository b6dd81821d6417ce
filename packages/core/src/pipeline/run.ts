import { basename, extname, join, relative } from 'node:path';
import { attribute } from '../attribute.js';
import { writeFileAtomic } from '../atomic-file.js';
import type { FusionRule } from '../fusion.js';
import type { OutputHead } from '../method.js';
import { writeNpy } from '../npy.js';
import { resolveOptions } from '../options.js';
import type { PluginRegistry } from '../registry.js';
import { renderOverlay } from '../render/index.js';
import { row, sizeOf, tensor, type Tensor } from '../tensor.js';
import type { VlmAdapter } from '../adapter.js';
import { slug, uniqueNames } from './labels.js';
import type { Experiment, ExperimentTarget } from '../config/experiment.js';
import { displayImage } from './display.js';

/** One finished image × method × target, as reported to listeners and written to the manifest. */
export interface RunItem {
  readonly image: string;
  readonly method: string;
  readonly target: string;
  /** The strategy that ran. */
  readonly strategy: 'direct' | 'jacobian';
  /** One label per map row (prompt text or `dim <i>`). */
  readonly labels: readonly string[];
  /** The model's score per row: the fusion's s_k for texts, the embedding value for dimensions. */
  readonly scores: readonly number[];
  /** The raw maps, float32 `[K, C, H, W]`, relative to the run folder. */
  readonly npy: string;
  /** Overlay PNGs, relative to the run folder: one per row and sign. */
  readonly overlays: readonly string[];
  readonly milliseconds: number;
  readonly report?: Record<string, unknown>;
}

/** Listeners of a run. */
export interface RunListeners {
  /** After each image × method × target. */
  onItem?(item: RunItem, done: number, total: number): void;
  /** Progress in units of the whole run (items, with fractions inside a long attribution). */
  onProgress?(done: number, total: number): void;
}

/** The run manifest (`manifest.json` in the run folder). */
export interface RunManifest {
  readonly format: 'envision-run/1';
  readonly createdAt: string;
  readonly configFile: string;
  readonly config: unknown;
  readonly seed: number;
  readonly versions: Record<string, string>;
  readonly model: { readonly adapter: string; readonly embeddingDim: number; readonly logitScale: number; readonly hashes: Record<string, string> };
  readonly items: readonly RunItem[];
  readonly timings: { readonly totalMs: number; readonly loadMs: number; readonly attributionMs: number; readonly renderMs: number };
}

/**
 * Runs an experiment: for each image × method × target it writes the raw maps (`.npy`), one overlay PNG per map row
 * and sign, and finally `manifest.json` listing everything. Every file is written atomically.
 *
 * @param plan - the validated experiment (recorded in the manifest as it is)
 * @param registry - plugins (adapters, methods, fusion rules) the experiment names
 * @param versions - package versions to record (node, onnxruntime, …); the registry's plugin versions are added
 * @returns the manifest and its path
 */
export async function runExperiment(
  plan: Experiment,
  registry: PluginRegistry,
  versions: Record<string, string>,
  listeners: RunListeners = {},
): Promise<{ manifest: RunManifest; manifestPath: string }> {
  const started = performance.now();
  const out = plan.output.dir;
  const adapterPlugin = registry.get('adapter', plan.model.adapter).plugin;
  const { adapter: _id, ...adapterOptions } = plan.model;
  const adapter = await adapterPlugin.load(adapterOptions, { baseDir: plan.baseDir });
  try {
    const methods = plan.methods.map((m) => {
      const method = registry.get('method', m.id).plugin;
      return { name: m.name, method, options: resolveOptions(method.meta, m.options, `methods ${m.name} options`) };
    });
    const targets = await Promise.all(plan.targets.map((t) => prepareTarget(t, adapter, registry)));
    const loadMs = performance.now() - started;
    const imageNames = uniqueNames(plan.images.map((f) => slug(basename(f, extname(f)))));
    const total = plan.images.length * methods.length * targets.length;
    const items: RunItem[] = [];
    let attributionMs = 0;
    let renderMs = 0;
    for (const [i, file] of plan.images.entries()) {
      const pixels = await adapter.preprocessImage(file);
      const embedding = (await adapter.encodeImage(pixels)).data;
      const underlay = displayImage(pixels);
      for (const { name: methodName, method, options } of methods) {
        for (const target of targets) {
          const { weights, scores, head } = target.at(embedding);
          const done = items.length;
          const outcome = await attribute({
            method,
            options,
            model: adapter.vision.model,
            inputs: { [adapter.vision.input]: pixels },
            wrt: adapter.vision.input,
            of: adapter.vision.output,
            weights,
            strategy: plan.strategy,
            ...(head ? { head } : {}),
            onProgress: (d, t) => listeners.onProgress?.(done + d / t, total),
          });
          attributionMs += outcome.milliseconds;
          const renderStart = performance.now();
          const base = join(imageNames[i]!, methodName);
          const npy = join(base, `${target.name}.npy`);
          await writeNpy(join(out, npy), outcome.maps);
          const overlays: string[] = [];
          const rowNames = uniqueNames(target.labels.map((l) => slug(l, 40)));
          for (let k = 0; k < outcome.maps.shape[0]!; k++) {
            for (const sign of plan.output.signs) {
              const png = join(base, target.name, `${String(k).padStart(2, '0')}-${rowNames[k]}.${sign}.png`);
              const bytes = await renderOverlay({ map: row(outcome.maps, k), image: underlay, sign, outlierPerc: plan.output.outlierPerc, alpha: plan.output.alpha });
              await writeFileAtomic(join(out, png), bytes);
              overlays.push(png);
            }
          }
          renderMs += performance.now() - renderStart;
          const item: RunItem = {
            image: relative(plan.baseDir, file) || file,
            method: methodName,
            target: target.name,
            strategy: outcome.strategy,
            labels: target.labels,
            scores: [...scores],
            npy,
            overlays,
            milliseconds: outcome.milliseconds,
            ...(outcome.report ? { report: outcome.report } : {}),
          };
          items.push(item);
          listeners.onItem?.(item, items.length, total);
          listeners.onProgress?.(items.length, total);
        }
      }
    }
    const manifest: RunManifest = {
      format: 'envision-run/1',
      createdAt: new Date().toISOString(),
      configFile: plan.configFile,
      config: plan,
      seed: plan.seed,
      versions: { ...versions, ...registry.packages() },
      model: { adapter: adapter.id, embeddingDim: adapter.embeddingDim, logitScale: adapter.logitScale, hashes: adapter.hashes ?? {} },
      items,
      timings: { totalMs: performance.now() - started, loadMs, attributionMs, renderMs },
    };
    const manifestPath = join(out, 'manifest.json');
    await writeFileAtomic(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
    return { manifest, manifestPath };
  } finally {
    await adapter.dispose?.();
  }
}

interface PreparedTarget {
  readonly name: string;
  readonly labels: readonly string[];
  /** Weights (cotangent rows), scores and, for a nonlinear fusion, the head, at image embedding e. */
  at(embedding: Float32Array): { weights: Tensor<'float32'>; scores: Float32Array; head?: OutputHead };
}

async function prepareTarget(target: ExperimentTarget, adapter: VlmAdapter, registry: PluginRegistry): Promise<PreparedTarget> {
  const m = adapter.embeddingDim;
  if (!('texts' in target)) {
    const k = target.dimensions.length;
    const data = new Float32Array(k * m);
    target.dimensions.forEach((d, r) => {
      if (d >= m) throw new RangeError(`targets ${target.name}: dimension ${d} is out of range (the embedding has ${m})`);
      data[r * m + d] = 1;
    });
    const weights = tensor('float32', [k, m], data);
    return {
      name: target.name,
      labels: target.dimensions.map((d) => `dim ${d}`),
      at: (e) => ({ weights, scores: Float32Array.from(target.dimensions, (d) => e[d]!) }),
    };
  }
  const fusion = registry.get('fusion', target.fusion.id).plugin as FusionRule;
  const options = resolveOptions(fusion.meta, target.fusion.options, `targets ${target.name} fusion options`);
  const textEmbeddings = await adapter.encodeText(target.texts);
  const input = (e: Float32Array) => ({ imageEmbedding: e, textEmbeddings, logitScale: adapter.logitScale, options });
  const linearWeights = fusion.meta.linear ? fusion.cotangents(input(new Float32Array(m))) : undefined;
  const head: OutputHead | undefined = fusion.meta.linear
    ? undefined
    : {
        scores(output) {
          const b = output.shape[0]!;
          const k = target.texts.length;
          const scores = new Float32Array(b * k);
          const n = sizeOf(output.shape.slice(1));
          for (let j = 0; j < b; j++) scores.set(fusion.scores(input(output.data.subarray(j * n, (j + 1) * n) as Float32Array)), j * k);
          return scores;
        },
        cotangents: (output) => fusion.cotangents(input(output.data)),
      };
  return {
    name: target.name,
    labels: target.texts,
    at: (e) => ({
      weights: linearWeights ?? fusion.cotangents(input(e)),
      scores: fusion.scores(input(e)),
      ...(head ? { head } : {}),
    }),
  };
}
