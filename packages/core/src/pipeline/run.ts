import { join } from 'node:path';
import { readFile, rm } from 'node:fs/promises';
import { isLinearInTarget } from '../method-maps.js';
import { formatProvider, isEnvisionError, resolveExecutionProviders, writeFileAtomic } from '@envision/onnx-grad';
import type { Experiment } from '../config/experiment.js';
import type { AttributionMethod } from '../method.js';
import { resolveOptions } from '../options.js';
import type { PluginRegistry } from '../registry.js';
import { renderGrid } from '../render/index.js';
import { BackgroundJobs } from './background-jobs.js';
import { confinedPath, earlierRunFiles, manifestFiles, removeStaleFiles, removeWritten } from './stale-files.js';
import { PREVIOUS_MANIFEST, lockRunFolder, moveManifestAside, removeTempFiles } from './run-lock.js';
import { writeReport } from '../report/index.js';
import { runReportExtras } from './report-extras.js';
import type { PreparedTarget } from './targets.js';
import type { VlmAdapter } from '../adapter.js';
import type { FailedItem, RunFigure, RunItem, RunManifest } from '../manifest.js';
import { computeItem, openRunContext, planItems, removeRecordFiles, type ExperimentSource, type ItemRecord, type RunContext, type WorkItem } from './work-item.js';
import { openJournal, trustedRecord, writeItemRecord, type Journal, type JournalMode } from './journal.js';

/** Listeners of a run. */
export interface RunListeners {
  /** After each image × method × target. */
  onItem?(item: RunItem, done: number, total: number): void;
  /** Progress in units of the whole run (items, with fractions inside a long attribution). */
  onProgress?(done: number, total: number): void;
  /** Something the user should know that does not stop the run (e.g. a fusion rule that ignores class groups). */
  onWarning?(message: string): void;
  /** Once planned: how many items (image × method) the run has and how many a resume found done. */
  onPlan?(items: number, resumed: number): void;
  /** An item (image × method) failed (after its retries, on a queue); the run goes on with the others. */
  onFailure?(failure: FailedItem): void;
}

/** Codes of bad input that concerns the whole run (experiment, plugins, model, queue), not one item. */
const WHOLE_RUN_CODES: ReadonlySet<string> = new Set(['E_CONFIG', 'E_PLUGIN', 'E_USAGE', 'E_PROVIDER', 'E_QUEUE', 'E_BUNDLE', 'E_CHECK']);
const STOPS_RUN = Symbol.for('envision.stopsRun');

/**
 * Marks an error as one that stops the whole run when an executor throws it for an item (e.g. a queue worker that
 * cannot load the experiment, or no worker process left), rather than failing that item alone.
 * @returns the same error
 */
export function stoppingRun<E extends Error>(e: E): E {
  Object.defineProperty(e, STOPS_RUN, { value: true });
  return e;
}

/**
 * Whether an error thrown for an item stops the run: one marked by {@link stoppingRun}, or bad input that concerns
 * the whole run (codes `E_CONFIG`, `E_PLUGIN`, `E_USAGE`, `E_PROVIDER`, `E_QUEUE`, `E_BUNDLE`, `E_CHECK`). Any other
 * failure (an image that cannot be read or decoded, a method that fails on one image, an internal error, a worker
 * process that died) fails that item only.
 */
export function stopsRun(e: unknown): boolean {
  return (e instanceof Error && (e as unknown as Record<symbol, unknown>)[STOPS_RUN] === true) || (isEnvisionError(e) && WHOLE_RUN_CODES.has(e.code));
}

/** An item's failure as the manifest and the journal record it: the cause's first line, its code when bad input. */
function failureOf(item: WorkItem, e: unknown): FailedItem {
  const message = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
  return { item: item.id, message, ...(isEnvisionError(e) ? { code: e.code } : {}) };
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
 * Computes items somewhere else than in the run's own process (worker processes, a queue). The run calls
 * {@link ItemExecutor.compute} for up to {@link ItemExecutor.concurrency} items at a time; the computing side writes
 * the item's files and its journal record ({@link writeItemRecord}) before the promise resolves.
 */
export interface ItemExecutor {
  /** How many items may be computed at once. */
  readonly concurrency: number;
  /**
   * Computes one item; `onProgress` takes the item's progress (0..1). A rejection fails that item (the run goes on),
   * unless {@link stopsRun} says it stops the run.
   */
  compute(item: WorkItem, onProgress: (fraction: number) => void): Promise<ItemRecord>;
  /** Stops the executor (after the last item, or when the run stops). */
  close(): Promise<void>;
}

/** How a run treats its folder and where it computes its items. */
export interface RunOptions {
  /** Continue the unfinished (or earlier) run in the folder: items whose record and files are intact are not redone. */
  readonly resume?: boolean;
  /** Forget an unfinished run in the folder and start over. */
  readonly fresh?: boolean;
  /** When aborted, no new item is started; the items under way finish and the run throws {@link RunInterrupted}. */
  readonly signal?: AbortSignal;
  /** Where the experiment comes from (written into each {@link WorkItem}). @default the experiment's file, no `--set`s */
  readonly source?: ExperimentSource;
  /** Computes the items elsewhere; by default they are computed one at a time in this process. */
  readonly executor?: (items: readonly WorkItem[]) => Promise<ItemExecutor>;
  /**
   * A failed item fails alone: it is reported and recorded, the other items are computed and collected. Otherwise
   * (the default) the first failure stops the run and what it wrote is taken back, as for any bad input. A queue
   * run sets it (its items were retried already; the study's runs are long).
   * @default false
   */
  readonly keepGoing?: boolean;
}

/** Thrown by {@link runExperiment} when its signal stopped it at an item boundary; the folder is left for `--resume`. */
export class RunInterrupted extends Error {
  /**
   * @param done - items (image × method × target) finished, these included from earlier runs
   * @param total - items of the run
   */
  constructor(
    readonly done: number,
    readonly total: number,
  ) {
    super(`interrupted after ${done} of ${total} map sets`);
    this.name = 'RunInterrupted';
  }
}

/**
 * Runs an experiment: plan (images × methods → {@link WorkItem}s), compute each item (maps as `.npy`, one overlay
 * PNG per map row and sign, token attributions; see {@link computeItem}) and collect (a figure per image and
 * target, `manifest.json` listing everything in the experiment's order, and the HTML report `report.html`). Every
 * file is written atomically, and each finished item is recorded in the folder's journal (`.envision-journal/`), so a
 * run stopped at any moment can be continued with `resume`. Files an earlier run in the same folder wrote (as its
 * manifest lists them) and this run did not write again are deleted at the end, so the folder holds this run alone.
 *
 * An item that fails (at once in this process or a worker process; after its retries on a queue) is reported to
 * `listeners.onFailure`, recorded in the journal and in the manifest's `failed`, and the run goes on: the other
 * items are computed and collected, and `failed` is returned. The folder is then left as unfinished: `resume`
 * retries the failed items. Bad input that concerns the whole run (see {@link stopsRun}) still stops it at once.
 *
 * @param plan - the validated experiment (recorded in the manifest as it is)
 * @param registry - plugins (adapters, methods, fusion rules) the experiment names
 * @param versions - package versions to record (node, onnxruntime, …); the registry's plugin versions are added
 * @param listeners - progress, items, warnings
 * @param options - resume or start afresh, the stop signal, and where items are computed
 * @returns the manifest and its path, the report's path, the earlier run's files deleted, and the failed items
 * @throws RunInterrupted when `options.signal` stopped the run; EnvisionError for bad input (what this run wrote is
 *   taken back), e.g. `E_FILE` when the folder holds an unfinished run and neither `resume` nor `fresh` is set
 */
export async function runExperiment(
  plan: Experiment,
  registry: PluginRegistry,
  versions: Record<string, string>,
  listeners: RunListeners = {},
  options: RunOptions = {},
): Promise<{ manifest: RunManifest; manifestPath: string; reportPath: string; staleRemoved: string[]; failed: FailedItem[] }> {
  const started = performance.now();
  const out = plan.output.dir;
  // The run owns its folder while it runs: a second run into it is refused.
  const lock = await lockRunFolder(out, { keepManifest: true });
  let context: RunContext | undefined;
  let journal: Journal | undefined;
  const computed: ItemRecord[] = [];
  const collected = new Set<string>();
  try {
    const mode: JournalMode = options.resume === true ? 'resume' : options.fresh === true ? 'fresh' : 'plain';
    context = await openRunContext(plan, registry, versions, listeners.onWarning);
    const items = await planItems(context, options.source ?? { file: plan.configFile, set: [] });
    journal = await openJournal(out, mode, items.length);
    // The earlier manifest goes aside (kept until this run's is written, so its files can still be cleaned up).
    await moveManifestAside(out);
    await removeTempFiles(out);
    const earlier = await earlierRunFiles(out);
    const failed: FailedItem[] = [];
    const onFailure = async (failure: FailedItem) => {
      failed.push(failure);
      await journal!.fail(failure);
      listeners.onFailure?.(failure);
    };
    const records = await computeAll(context, items, listeners, options, computed, mode === 'resume', onFailure);
    // (failures in plan order, whatever order they happened in)
    const order = new Map(items.map((item, k) => [item.id, k]));
    failed.sort((a, b) => order.get(a.item)! - order.get(b.item)!);
    const result = await collectRun(context, records, failed, started, collected);
    const staleRemoved = await removeStaleFiles(out, earlier, manifestFiles(result.manifest));
    await rm(join(out, PREVIOUS_MANIFEST), { force: true });
    await journal.finish(failed.length);
    return { ...result, staleRemoved, failed };
  } catch (e) {
    if (isEnvisionError(e)) {
      for (const record of computed) await removeRecordFiles(out, record);
      await removeWritten(out, collected);
      await journal?.forget(computed.map((r) => r.id));
    }
    throw e;
  } finally {
    await context?.dispose();
    await lock.release();
  }
}

/**
 * The compute step of a run: the records of all items in plan order, taking a trusted record from the journal when
 * resuming and computing the rest (in this process or with the executor), each recorded as it finishes. A failed
 * item is given to `onFailure` and has no record (undefined); an error that {@link stopsRun} is thrown once the
 * items under way are done.
 */
async function computeAll(
  context: RunContext,
  items: readonly WorkItem[],
  listeners: RunListeners,
  options: RunOptions,
  computed: ItemRecord[],
  resume: boolean,
  onFailure: (failure: FailedItem) => Promise<void>,
): Promise<(ItemRecord | undefined)[]> {
  const out = context.plan.output.dir;
  const perItem = context.targets.length;
  const total = items.length * perItem;
  const records: (ItemRecord | undefined)[] = await Promise.all(items.map((item) => (resume ? trustedRecord(out, item) : undefined)));
  const pending = items.filter((_, k) => records[k] === undefined);
  let done = (items.length - pending.length) * perItem;
  listeners.onPlan?.(items.length, items.length - pending.length);
  if (pending.length === 0) return records;
  const executor: ItemExecutor = options.executor
    ? await options.executor(pending)
    : {
        concurrency: 1,
        async compute(item, onProgress) {
          const record = await computeItem(context, item, onProgress);
          await writeItemRecord(out, record);
          return record;
        },
        async close() {},
      };
  const running = new Map<string, number>(); // item id → its progress
  const progress = () => listeners.onProgress?.(done + [...running.values()].reduce((a, b) => a + b, 0) * perItem, total);
  const index = new Map(items.map((item, k) => [item.id, k]));
  let next = 0;
  let failure: unknown;
  const failedIds = new Set<string>();
  const lane = async (): Promise<void> => {
    while (failure === undefined && options.signal?.aborted !== true && next < pending.length) {
      const item = pending[next++]!;
      running.set(item.id, 0);
      try {
        const record = await executor.compute(item, (fraction) => {
          running.set(item.id, fraction);
          progress();
        });
        computed.push(record);
        records[index.get(item.id)!] = record;
        for (const runItem of record.items) listeners.onItem?.(runItem, ++done, total);
      } catch (e) {
        if (stopsRun(e) || options.keepGoing !== true) failure ??= e;
        else {
          failedIds.add(item.id);
          // (a failure that cannot even be recorded stops the run)
          await onFailure(failureOf(item, e)).catch((f: unknown) => (failure ??= f));
        }
      } finally {
        running.delete(item.id);
      }
      progress();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(executor.concurrency, pending.length)) }, lane));
  } finally {
    await executor.close();
  }
  if (failure !== undefined) throw failure;
  if (items.some((item, k) => records[k] === undefined && !failedIds.has(item.id))) throw new RunInterrupted(done, total);
  return records;
}

/**
 * The collect step of a run: a figure per image and target (the first sign's overlays of every method, read back
 * from the folder), `manifest.json` (items, stores and figures in the experiment's order, whatever order the items
 * finished in) and the report. `timings` sums the records' attribution and render times, whichever run computed them.
 * Failed items (no record) are left out: a figure shows the methods that succeeded on its image, and an image with
 * none has no figure.
 */
async function collectRun(
  context: RunContext,
  all: readonly (ItemRecord | undefined)[],
  failed: readonly FailedItem[],
  started: number,
  written: Set<string>,
): Promise<{ manifest: RunManifest; manifestPath: string; reportPath: string }> {
  const { plan, adapter, targets, methods, imageNames } = context;
  const out = plan.output.dir;
  const signs = plan.output.signs.length;
  const figures: RunFigure[] = [];
  const records = all.filter((r): r is ItemRecord => r !== undefined);
  let renderMs = records.reduce((a, r) => a + r.renderMs, 0);
  const figureStart = performance.now();
  // The figures are drawn four at a time (sharp composes them on its own threads) and listed in plan order.
  const drawing = new BackgroundJobs(4);
  for (const [i, name] of imageNames.entries()) {
    const ofImage = all.slice(i * methods.length, (i + 1) * methods.length);
    const succeeded = methods.filter((_, j) => ofImage[j] !== undefined);
    if (succeeded.length === 0) continue;
    const imageLabel = ofImage.find((r) => r !== undefined)!.items[0]?.image ?? name;
    for (const [t, target] of targets.entries()) {
      const png = join(name, `figure-${target.name}.png`);
      const classifier = target.kind === 'classifier';
      written.add(png);
      figures.push({ image: imageLabel, target: target.name, layout: classifier ? 'methods-by-classes' : 'rows-by-methods', png });
      drawing.add(async () => {
        const firsts = new Map<string, Uint8Array[]>();
        for (const [j, m] of methods.entries()) {
          const overlays = ofImage[j]?.items[t]?.overlays ?? [];
          firsts.set(m.name, await Promise.all(overlays.filter((_, k) => k % signs === 0).map((file) => readFile(join(out, file)))));
        }
        const cells = (methodName: string) => firsts.get(methodName) ?? [];
        const names = succeeded.map((x) => x.name);
        const grid = classifier
          ? { cells: names.map((mn) => cells(mn)), rowLabels: names, colLabels: target.labels }
          : { cells: target.labels.map((_, r) => names.map((mn) => cells(mn)[r] ?? null)), rowLabels: target.labels, colLabels: names };
        await writeFileAtomic(await confinedPath(out, png), await renderGrid({ ...grid, cellSize: 160 }));
      });
    }
  }
  await drawing.drain();
  renderMs += performance.now() - figureStart;
  // (resolved once per process: loading the adapter did it, and said any fallback)
  const providers = await resolveExecutionProviders(plan.model.executionProviders);
  const manifest: RunManifest = {
    format: 'envision-run/1',
    createdAt: new Date().toISOString(),
    configFile: plan.configFile,
    config: plan,
    seed: plan.seed,
    versions: context.versions,
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
    targets: targets.map((t: PreparedTarget) => ({ name: t.name, kind: t.kind, classes: t.classes })),
    items: records.flatMap((r) => r.items),
    perDimension: records.flatMap((r) => (r.perDimension ? [r.perDimension] : [])),
    figures,
    ...(failed.length === 0 ? {} : { failed }),
    timings: { totalMs: performance.now() - started, loadMs: context.loadMs, attributionMs: records.reduce((a, r) => a + r.attributionMs, 0), renderMs },
  };
  const manifestPath = join(out, 'manifest.json');
  await writeFileAtomic(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  const reportPath = await writeReport(out, manifest, await runReportExtras(out, manifest));
  return { manifest, manifestPath, reportPath };
}
