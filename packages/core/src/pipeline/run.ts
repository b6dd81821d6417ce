import { basename, extname, join, relative } from 'node:path';
import { attribute } from '../attribute.js';
import { isLinearInTarget } from '../method-maps.js';
import { formatProvider, isEnvisionError, resolveExecutionProviders, writeFileAtomic, row, type Tensor } from '@envision/onnx-grad';
import type { Experiment } from '../config/experiment.js';
import type { AttributionMethod } from '../method.js';
import { writeNpy } from '../npy.js';
import { resolveOptions } from '../options.js';
import type { PluginRegistry } from '../registry.js';
import { renderGrid, renderOverlay } from '../render/index.js';
import { displayImage } from './display.js';
import { fuseStored, perDimensionMaps } from './jacobian-store.js';
import { slug, uniqueNames } from './labels.js';
import { confinedPath, earlierRunFiles, manifestFiles, removeStaleFiles, removeWritten } from './stale-files.js';
import { PREVIOUS_MANIFEST, lockRunFolder } from './run-lock.js';
import { rm } from 'node:fs/promises';
import { writeReport } from '../report/index.js';
import { runReportExtras } from './report-extras.js';
import { classMapSimilarity } from '../metrics/index.js';
import { prepareTarget, type PreparedTarget } from './targets.js';
import { checkEmbeddings } from '../adapter-check.js';
import { loadCheckedAdapter } from './load-adapter.js';
import type { VlmAdapter } from '../adapter.js';
import type { RunFigure, RunItem, RunManifest } from '../manifest.js';
import { TOKEN_METHODS, TextTokenCache, wordScores, writeTokensFile } from './text-tokens.js';

/** Listeners of a run. */
export interface RunListeners {
  /** After each image × method × target. */
  onItem?(item: RunItem, done: number, total: number): void;
  /** Progress in units of the whole run (items, with fractions inside a long attribution). */
  onProgress?(done: number, total: number): void;
  /** Something the user should know that does not stop the run (e.g. a fusion rule that ignores class groups). */
  onWarning?(message: string): void;
}

/**
 * Which strategy explains a target with a method. `auto`: a method that is not linear in its target needs the
 * per-dimension maps (`jacobian`); a linear method with a nonlinear fusion runs `direct` with the fusion as its head
 * (exact at every evaluated point); otherwise `direct` when the target has fewer rows than the embedding has dimensions.
 */
export function chooseStrategy(wanted: Experiment['strategy'], linearMethod: boolean, target: PreparedTarget, rows: number, m: number): 'direct' | 'jacobian' {
  if (wanted !== 'auto') return wanted;
  if (!linearMethod) return 'jacobian';
  if (!target.linear) return 'direct';
  return rows < m ? 'direct' : 'jacobian';
}

/** A method of an experiment as the run uses it: its plugin, its resolved options and whether it is linear in its target. */
export interface RunMethod {
  /** The method's unique label in the experiment (its output folder). */
  readonly name: string;
  readonly method: AttributionMethod;
  /** The options, defaults applied and validated, a layer alias of the adapter replaced by the tensor's name. */
  readonly options: Record<string, unknown>;
  /** Whether the method is linear in its target with these options (see {@link isLinearInTarget}). */
  readonly linear: boolean;
}

/**
 * The experiment's methods as a run uses them: each method's plugin, its options resolved against its schema (a layer
 * method's `layer` may be one of the adapter's names for a layer, e.g. `lastStage`), and whether it is linear in its
 * target. `envision run` and the explorer (`envision serve`) both take their methods from here.
 *
 * @param plan - the experiment (its methods)
 * @param registry - the plugins it names
 * @param adapter - the loaded adapter (its layer names)
 * @returns one entry per method of the experiment, in order
 */
export function resolveRunMethods(plan: Pick<Experiment, 'methods'>, registry: PluginRegistry, adapter: Pick<VlmAdapter, 'layers'>): RunMethod[] {
  const resolveMethod = registry.methodResolver();
  return plan.methods.map((m) => {
    const method = registry.get('method', m.id).plugin as AttributionMethod;
    const resolved = resolveOptions(method.meta, m.options, `methods ${m.name} options`);
    const layer = (resolved as { layer?: unknown }).layer;
    const options = typeof layer === 'string' && adapter.layers?.[layer] !== undefined ? { ...resolved, layer: adapter.layers[layer] } : resolved;
    return { name: m.name, method, options, linear: isLinearInTarget(method, options, resolveMethod) };
  });
}

/**
 * Runs an experiment: for each image × method × target it writes the maps (`.npy`), one overlay PNG per map row and
 * sign, a figure per image and target, `manifest.json` listing everything, and a static HTML report
 * (`report.html`). Every file is written atomically. Files an earlier run in the same folder wrote (as its manifest
 * lists them) and this run did not write again are deleted at the end, so the folder holds this run alone.
 *
 * @param plan - the validated experiment (recorded in the manifest as it is)
 * @param registry - plugins (adapters, methods, fusion rules) the experiment names
 * @param versions - package versions to record (node, onnxruntime, …); the registry's plugin versions are added
 * @returns the manifest and its path, the report's path, and the earlier run's files deleted
 */
export async function runExperiment(
  plan: Experiment,
  registry: PluginRegistry,
  versions: Record<string, string>,
  listeners: RunListeners = {},
): Promise<{ manifest: RunManifest; manifestPath: string; reportPath: string; staleRemoved: string[] }> {
  const started = performance.now();
  const out = plan.output.dir;
  // The run owns its folder while it runs: a second run into it is refused, and the earlier manifest is moved aside.
  const lock = await lockRunFolder(out);
  let loaded: VlmAdapter | undefined;
  // Every file this run writes, so that a run stopped by bad input (an image that does not decode, …) takes them back.
  const written = new Set<string>();
  const put = async (relativePath: string): Promise<string> => {
    const path = await confinedPath(out, relativePath);
    written.add(relativePath);
    return path;
  };
  try {
    const earlier = await earlierRunFiles(out);
    const adapter = await loadCheckedAdapter(plan, registry, { onWarning: (message) => listeners.onWarning?.(message) });
    // (resolved once per process: loading the adapter did it, and said any fallback)
    const providers = await resolveExecutionProviders(plan.model.executionProviders);
    loaded = adapter;
    const resolveMethod = registry.methodResolver();
    const methods = resolveRunMethods(plan, registry, adapter);
    const targets = await Promise.all(plan.targets.map((t) => prepareTarget(t, adapter, registry, plan.seed)));
    for (const warning of targets.flatMap((t) => t.warnings)) listeners.onWarning?.(warning);
    const loadMs = performance.now() - started;
    const imageNames = uniqueNames(plan.images.map((f) => slug(basename(f, extname(f)))));
    const total = plan.images.length * methods.length * targets.length;
    const items: RunItem[] = [];
    const perDimension: RunManifest['perDimension'][number][] = [];
    const figures: RunFigure[] = [];
    let attributionMs = 0;
    let renderMs = 0;
    const m = adapter.embeddingDim;
    const tokenCache = new TextTokenCache(adapter);
    const { model, input, output } = adapter.vision;
    for (const [i, file] of plan.images.entries()) {
      const pixels = await adapter.preprocessImage(file);
      const embedding = checkEmbeddings(await adapter.encodeImage(pixels), 1, adapter, 'encodeImage').data;
      const underlay = displayImage(pixels);
      const imageLabel = relative(plan.baseDir, file) || file;
      const firstPng = new Map<string, Uint8Array[]>(); // method/target → first-sign overlay of each row
      for (const { name: methodName, method, options, linear } of methods) {
        let store: Tensor<'float32'> | undefined;
        for (const target of targets) {
          const { weights, scores, head } = target.at(embedding);
          const rows = weights.shape[0]!;
          const strategy = chooseStrategy(plan.strategy, linear, target, rows, m);
          const done = items.length;
          const progress = (d: number, t: number) => listeners.onProgress?.(done + d / t, total);
          let maps: Tensor<'float32'>;
          let milliseconds: number;
          let report: Record<string, unknown> | undefined;
          if (strategy === 'jacobian') {
            if (store === undefined) {
              const computed = await perDimensionMaps(method, options, model, input, output, pixels, m, progress, { resolveMethod, baseDir: plan.baseDir });
              store = computed.maps;
              const npy = join(imageNames[i]!, methodName, 'per-dimension.npy');
              await writeNpy(await put(npy), store);
              perDimension.push({ image: imageLabel, method: methodName, npy, milliseconds: computed.milliseconds });
              attributionMs += computed.milliseconds;
            }
            const fuseStart = performance.now();
            maps = await fuseStored(store, weights);
            milliseconds = performance.now() - fuseStart;
          } else {
            const outcome = await attribute({
              method,
              options,
              model,
              inputs: { [input]: pixels },
              wrt: input,
              of: output,
              weights,
              strategy: 'direct',
              ...(head ? { head } : {}),
              baseDir: plan.baseDir,
              onProgress: progress,
              resolveMethod,
            });
            maps = outcome.maps;
            milliseconds = outcome.milliseconds;
            report = outcome.report;
          }
          attributionMs += milliseconds;
          const renderStart = performance.now();
          const base = join(imageNames[i]!, methodName);
          const npy = join(base, `${target.name}.npy`);
          await writeNpy(await put(npy), maps);
          const overlays: string[] = [];
          const rowNames = uniqueNames(target.labels.map((l) => slug(l, 40)));
          const firsts: Uint8Array[] = [];
          for (let k = 0; k < maps.shape[0]!; k++) {
            for (const [s, sign] of plan.output.signs.entries()) {
              const png = join(base, target.name, `${String(k).padStart(2, '0')}-${rowNames[k]}.${sign}.png`);
              const bytes = await renderOverlay({ map: row(maps, k), image: underlay, sign, outlierPerc: plan.output.outlierPerc, alpha: plan.output.alpha });
              await writeFileAtomic(await put(png), bytes);
              overlays.push(png);
              if (s === 0) firsts.push(bytes);
            }
          }
          firstPng.set(`${methodName}\u0000${target.name}`, firsts);
          renderMs += performance.now() - renderStart;
          let tokens: string | undefined;
          let words: RunItem['words'];
          const shown = TOKEN_METHODS[method.meta.id];
          const spec = plan.targets.find((t) => t.name === target.name)!;
          if (shown !== undefined) {
            const steps = method.meta.id === 'ig' ? Number((options as { steps?: number }).steps ?? 50) : 50;
            const prompts = await tokenCache.of(spec, target, imageLabel, embedding, steps);
            if (prompts !== undefined) {
              tokens = join(base, `${target.name}.tokens.json`);
              const score = 'fusion' in spec && spec.fusion.id === 'dot' ? 'dot' : 'cosine';
              await writeTokensFile(await put(tokens), { format: 'envision-tokens/1', image: imageLabel, method: methodName, target: target.name, score, shown, prompts });
              words = prompts.map((p) => ({ text: p.text, words: wordScores(p, shown) }));
            }
          }
          const rowsOfMaps = Array.from({ length: maps.shape[0]! }, (_, k) => row(maps, k));
          const metrics = rowsOfMaps.length >= 2 ? { classMapSimilarity: classMapSimilarity(rowsOfMaps) } : undefined;
          const item: RunItem = {
            image: imageLabel,
            method: methodName,
            target: target.name,
            kind: target.kind,
            strategy,
            labels: target.labels,
            scores: [...scores],
            npy,
            overlays,
            ...(tokens ? { tokens, words } : {}),
            milliseconds,
            ...(report ? { report } : {}),
            ...(metrics ? { metrics } : {}),
          };
          items.push(item);
          listeners.onItem?.(item, items.length, total);
          listeners.onProgress?.(items.length, total);
        }
      }
      const figureStart = performance.now();
      for (const target of targets) {
        const cells = (methodName: string) => firstPng.get(`${methodName}\u0000${target.name}`) ?? [];
        const names = methods.map((x) => x.name);
        const classifier = target.kind === 'classifier';
        const grid = classifier
          ? { cells: names.map((mn) => cells(mn)), rowLabels: names, colLabels: target.labels }
          : { cells: target.labels.map((_, r) => names.map((mn) => cells(mn)[r] ?? null)), rowLabels: target.labels, colLabels: names };
        const png = join(imageNames[i]!, `figure-${target.name}.png`);
        await writeFileAtomic(await put(png), await renderGrid({ ...grid, cellSize: 160 }));
        figures.push({ image: imageLabel, target: target.name, layout: classifier ? 'methods-by-classes' : 'rows-by-methods', png });
      }
      renderMs += performance.now() - figureStart;
    }
    const manifest: RunManifest = {
      format: 'envision-run/1',
      createdAt: new Date().toISOString(),
      configFile: plan.configFile,
      config: plan,
      seed: plan.seed,
      versions: { ...versions, ...registry.packages() },
      model: {
        adapter: adapter.id,
        embeddingDim: adapter.embeddingDim,
        logitScale: adapter.logitScale,
        ...(adapter.logitBias === undefined ? {} : { logitBias: adapter.logitBias }),
        hashes: adapter.hashes ?? {},
        executionProviders: {
          requested: providers.requested.map(formatProvider),
          used: providers.used.map(formatProvider),
          ...(providers.failed.length === 0 ? {} : { failed: providers.failed.map((f) => ({ provider: formatProvider(f.provider), reason: f.reason })) }),
        },
      },
      targets: targets.map((t) => ({ name: t.name, kind: t.kind, classes: t.classes })),
      items,
      perDimension,
      figures,
      timings: { totalMs: performance.now() - started, loadMs, attributionMs, renderMs },
    };
    const manifestPath = join(out, 'manifest.json');
    await writeFileAtomic(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
    const reportPath = await writeReport(out, manifest, await runReportExtras(out, manifest));
    const staleRemoved = await removeStaleFiles(out, earlier, manifestFiles(manifest));
    await rm(join(out, PREVIOUS_MANIFEST), { force: true });
    return { manifest, manifestPath, reportPath, staleRemoved };
  } catch (e) {
    if (isEnvisionError(e)) await removeWritten(out, written);
    throw e;
  } finally {
    await loaded?.dispose?.();
    await lock.release();
  }
}
