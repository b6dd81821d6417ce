// The unit of work of a run: one image × one method, all targets. A run is plan (images × methods → items), compute
// (one item, in this process, in a worker process or in a queue worker) and collect (figures, manifest, report).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import { attribute } from '../attribute.js';
import { EnvisionError, describeCause, writeFileAtomic, row, type Tensor } from '@envision/onnx-grad';
import type { Experiment } from '../config/experiment.js';
import { encodeNpy } from '../npy.js';
import type { PluginRegistry } from '../registry.js';
import { OverlayWriter } from '../render/overlay-writer.js';
import { BackgroundJobs } from './background-jobs.js';
import { displayImage } from './display.js';
import { fuseStored, perDimensionMaps } from './jacobian-store.js';
import { slug, uniqueNames } from './labels.js';
import { confinedPath, removeWritten } from './stale-files.js';
import { prepareTarget, type PreparedTarget } from './targets.js';
import { checkEmbeddings } from '../adapter-check.js';
import { loadCheckedAdapter } from './load-adapter.js';
import type { VlmAdapter } from '../adapter.js';
import type { RunItem, RunManifest } from '../manifest.js';
import { TOKEN_METHODS, TextTokenCache, wordScores, writeTokensFile } from './text-tokens.js';
import { classMapSimilarity } from '../metrics/index.js';
import { chooseStrategy, resolveRunMethods, type RunMethod } from './run.js';

/** The format of a {@link WorkItem}. */
export const WORK_ITEM_FORMAT = 'envision-item/1';
/** The format of an {@link ItemRecord}. */
export const ITEM_RECORD_FORMAT = 'envision-item-record/1';

/** Where an experiment comes from, so that another process can load the very same one: its file and `--set`s. */
export interface ExperimentSource {
  /** The experiment file (absolute). */
  readonly file: string;
  /** The `--set key.path=value` overrides, in order. */
  readonly set: readonly string[];
}

/**
 * One unit of work of a run, as JSON: one image × one method, with all the experiment's targets. Everything a
 * process needs to compute it is here or in the experiment it names, so it can be sent to a worker process or a queue.
 */
export interface WorkItem {
  readonly format: typeof WORK_ITEM_FORMAT;
  /** `IMAGE/METHOD`: the image's output folder and the method's name (unique in the run; the journal's key). */
  readonly id: string;
  /** The experiment the item belongs to. */
  readonly experiment: ExperimentSource;
  readonly image: {
    /** Position in the experiment's `images`. */
    readonly index: number;
    /** The image file (absolute). */
    readonly file: string;
    /** The file relative to the experiment's folder, as the manifest names it. */
    readonly label: string;
    /** Its output folder in the run folder. */
    readonly name: string;
    /** SHA-256 (hex) of the file's bytes. */
    readonly sha256: string;
  };
  readonly method: {
    /** Position in the experiment's `methods`. */
    readonly index: number;
    /** The method's unique name (its output folder). */
    readonly name: string;
  };
  /**
   * SHA-256 (hex) of everything the item's outputs depend on: the model section and model hashes, the method's
   * section, the targets, strategy, seed, the output settings that shape files (signs, outlierPerc, alpha), the
   * image (name, label, hash) and the package versions. A resume trusts a record only when this is unchanged.
   */
  readonly inputs: string;
}

/** A file an item wrote: its path relative to the run folder, its size and its SHA-256. */
export interface WrittenFile {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** What computing a {@link WorkItem} gave: its manifest entries and the files it wrote (JSON, kept in the journal). */
export interface ItemRecord {
  readonly format: typeof ITEM_RECORD_FORMAT;
  readonly id: string;
  /** The item's {@link WorkItem.inputs} when it was computed. */
  readonly inputs: string;
  /** One manifest entry per target, in the experiment's order. */
  readonly items: readonly RunItem[];
  /** The per-dimension store's manifest entry, when a target ran with the `jacobian` strategy. */
  readonly perDimension?: RunManifest['perDimension'][number];
  /** Every file the item wrote (maps, store, overlays, token files). */
  readonly files: readonly WrittenFile[];
  /**
   * Time spent in attribution, and time the item spent rendering that did not overlap it: writing the maps and
   * waiting for the overlays still being drawn after its last attribution (overlays render while the next target's
   * attribution computes). Milliseconds; timing, not content.
   */
  readonly attributionMs: number;
  /** See {@link ItemRecord.attributionMs}. */
  readonly renderMs: number;
}

/**
 * What computing items needs, loaded once per process: the experiment, its model (adapter), its methods resolved
 * and its targets prepared. {@link openRunContext} makes one; {@link RunContext.dispose} frees the model.
 */
export interface RunContext {
  readonly plan: Experiment;
  readonly registry: PluginRegistry;
  readonly adapter: VlmAdapter;
  readonly methods: readonly RunMethod[];
  readonly targets: readonly PreparedTarget[];
  /** Each image's output folder, in the experiment's order. */
  readonly imageNames: readonly string[];
  /** The package versions recorded in the manifest (runtime versions and the registry's plugin packages). */
  readonly versions: Record<string, string>;
  /** Milliseconds spent loading the model and preparing the targets. */
  readonly loadMs: number;
  /** Frees the model's sessions. */
  dispose(): Promise<void>;
}

/** Per-process caches of a context: the text-token cache and the last image's pixels and embedding. */
interface ContextCache {
  tokens: TextTokenCache;
  image?: { file: string; sha256: string; pixels: Tensor<'float32'>; embedding: Float32Array };
}
const caches = new WeakMap<RunContext, ContextCache>();

/**
 * Loads what computing an experiment's items needs: the model through its adapter (checked), the methods with their
 * options resolved, and the targets prepared (text targets embedded).
 * @param plan - the validated experiment
 * @param registry - the plugins it names
 * @param versions - runtime versions to record; the registry's plugin package versions are added
 * @param onWarning - told what the user should know (a fusion rule that ignores class groups, an execution provider
 *   that fell back to the CPU)
 * @throws EnvisionError from loading the model or preparing a target
 */
export async function openRunContext(plan: Experiment, registry: PluginRegistry, versions: Record<string, string>, onWarning?: (message: string) => void): Promise<RunContext> {
  const started = performance.now();
  const adapter = await loadCheckedAdapter(plan, registry, { onWarning: (message) => onWarning?.(message) });
  try {
    const methods = resolveRunMethods(plan, registry, adapter);
    const targets = await Promise.all(plan.targets.map((t) => prepareTarget(t, adapter, registry, plan.seed)));
    for (const warning of targets.flatMap((t) => t.warnings)) onWarning?.(warning);
    const context: RunContext = {
      plan,
      registry,
      adapter,
      methods,
      targets,
      imageNames: uniqueNames(plan.images.map((f) => slug(basename(f, extname(f))))),
      versions: { ...versions, ...registry.packages() },
      loadMs: performance.now() - started,
      dispose: async () => {
        await adapter.dispose?.();
      },
    };
    caches.set(context, { tokens: new TextTokenCache(adapter) });
    return context;
  } catch (e) {
    await adapter.dispose?.();
    throw e;
  }
}

/** JSON with object keys sorted, so that equal values give equal text whatever order their keys were built in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]));
  });
}

const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

/** SHA-256 of an image file. @throws EnvisionError `E_FILE` naming the image when it cannot be read */
async function imageHash(file: string): Promise<string> {
  try {
    return sha256(await readFile(file));
  } catch (e) {
    throw new EnvisionError('E_FILE', `cannot read image ${file}: ${describeCause(e)}`, e);
  }
}

/** The {@link WorkItem.inputs} of image `i` × method `j` of a context. */
function itemInputs(context: RunContext, i: number, j: number, imageSha256: string): string {
  const { plan, adapter } = context;
  return sha256(
    canonicalJson({
      format: WORK_ITEM_FORMAT,
      model: plan.model,
      hashes: adapter.hashes ?? {},
      method: plan.methods[j],
      targets: plan.targets,
      strategy: plan.strategy,
      seed: plan.seed,
      output: { signs: plan.output.signs, outlierPerc: plan.output.outlierPerc, alpha: plan.output.alpha },
      image: { name: context.imageNames[i], label: relative(plan.baseDir, plan.images[i]!) || plan.images[i], sha256: imageSha256 },
      versions: context.versions,
    }),
  );
}

/**
 * Plans a run: one {@link WorkItem} per image × method, image-major in the experiment's order (the order of the
 * manifest). Reads every image once to hash it.
 * @param context - the loaded experiment ({@link openRunContext})
 * @param source - where another process loads the same experiment from
 * @throws EnvisionError `E_FILE` naming an image that cannot be read
 */
export async function planItems(context: RunContext, source: ExperimentSource): Promise<WorkItem[]> {
  const { plan, methods, imageNames } = context;
  const items: WorkItem[] = [];
  for (const [i, file] of plan.images.entries()) {
    const hash = await imageHash(file);
    for (const [j, m] of methods.entries()) {
      items.push({
        format: WORK_ITEM_FORMAT,
        id: `${imageNames[i]}/${m.name}`,
        experiment: source,
        image: { index: i, file, label: relative(plan.baseDir, file) || file, name: imageNames[i]!, sha256: hash },
        method: { index: j, name: m.name },
        inputs: itemInputs(context, i, j, hash),
      });
    }
  }
  return items;
}

/**
 * Computes one item: for each target the maps (`.npy`), the overlays, the token attributions when asked for, and the
 * per-dimension store when a target needs it. Every file is written atomically; a failure (of any kind) takes back
 * what the item wrote. The item must belong to the context's experiment: an item planned from another version of the experiment,
 * or an image changed since it was planned, is refused.
 * @param context - the loaded experiment ({@link openRunContext})
 * @param item - the item
 * @param onProgress - the item's progress (0..1)
 * @returns the item's record (not yet in the journal: see {@link writeItemRecord})
 * @throws EnvisionError `E_CONFIG` when the item does not match the context, or from the computation
 */
export async function computeItem(context: RunContext, item: WorkItem, onProgress?: (fraction: number) => void): Promise<ItemRecord> {
  const { plan, adapter, targets } = context;
  const out = plan.output.dir;
  const cache = caches.get(context)!;
  const method = context.methods[item.method.index];
  if (item.format !== WORK_ITEM_FORMAT || method === undefined || method.name !== item.method.name || plan.images[item.image.index] !== item.image.file) {
    throw new EnvisionError('E_CONFIG', `item ${item.id} does not belong to the experiment ${plan.configFile} as loaded here`);
  }
  const written = new Set<string>();
  const rendering = new BackgroundJobs(8);
  const put = async (path: string): Promise<string> => {
    const full = await confinedPath(out, path);
    written.add(path);
    return full;
  };
  try {
    let image = cache.image;
    if (image === undefined || image.file !== item.image.file || image.sha256 !== item.image.sha256) {
      const hash = await imageHash(item.image.file);
      if (hash !== item.image.sha256) throw new EnvisionError('E_FILE', `image ${item.image.file} changed since the run was planned; run again`);
      const pixels = await adapter.preprocessImage(item.image.file);
      const embedding = checkEmbeddings(await adapter.encodeImage(pixels), 1, adapter, 'encodeImage').data;
      image = { file: item.image.file, sha256: hash, pixels, embedding };
      cache.image = image;
    }
    if (itemInputs(context, item.image.index, item.method.index, image.sha256) !== item.inputs) {
      throw new EnvisionError('E_CONFIG', `item ${item.id} was planned from another version of ${plan.configFile} (its model, method, targets, output settings or package versions changed); run again`);
    }
    const { pixels, embedding } = image;
    const { name: methodName, method: plugin, options, linear } = method;
    const resolveMethod = context.registry.methodResolver();
    const { model, input, output } = adapter.vision;
    const m = adapter.embeddingDim;
    const underlay = displayImage(pixels);
    const imageLabel = item.image.label;
    const base = join(item.image.name, methodName);
    const items: RunItem[] = [];
    let perDimension: ItemRecord['perDimension'];
    let store: Tensor<'float32'> | undefined;
    let attributionMs = 0;
    let renderMs = 0;
    for (const [t, target] of targets.entries()) {
      const { weights, scores, head } = target.at(embedding);
      const rows = weights.shape[0]!;
      const strategy = chooseStrategy(plan.strategy, linear, target, rows, m);
      const progress = (d: number, total: number) => onProgress?.((t + d / total) / targets.length);
      let maps: Tensor<'float32'>;
      let milliseconds: number;
      let report: Record<string, unknown> | undefined;
      if (strategy === 'jacobian') {
        if (store === undefined) {
          const computed = await perDimensionMaps(plugin, options, model, input, output, pixels, m, progress, { resolveMethod, baseDir: plan.baseDir });
          store = computed.maps;
          const npy = join(base, 'per-dimension.npy');
          await writeFileAtomic(await put(npy), encodeNpy(store));
          perDimension = { image: imageLabel, method: methodName, npy, milliseconds: computed.milliseconds };
          attributionMs += computed.milliseconds;
        }
        const fuseStart = performance.now();
        maps = await fuseStored(store, weights);
        milliseconds = performance.now() - fuseStart;
      } else {
        const outcome = await attribute({
          method: plugin,
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
      const npy = join(base, `${target.name}.npy`);
      await writeFileAtomic(await put(npy), encodeNpy(maps));
      const overlays: string[] = [];
      const rowNames = uniqueNames(target.labels.map((l) => slug(l, 40)));
      for (let k = 0; k < maps.shape[0]!; k++) {
        for (const sign of plan.output.signs) {
          const png = join(base, target.name, `${String(k).padStart(2, '0')}-${rowNames[k]}.${sign}.png`);
          const map = row(maps, k);
          // (rendered on the overlay threads while the next target's attribution computes; the item waits for all
          // of them before its record)
          rendering.add(async () => OverlayWriter.get().write(await put(png), { map, image: underlay, sign, outlierPerc: plan.output.outlierPerc, alpha: plan.output.alpha }));
          overlays.push(png);
        }
      }
      renderMs += performance.now() - renderStart;
      let tokens: string | undefined;
      let words: RunItem['words'];
      const shown = TOKEN_METHODS[plugin.meta.id];
      const spec = plan.targets[t]!;
      if (shown !== undefined) {
        const steps = plugin.meta.id === 'ig' ? Number((options as { steps?: number }).steps ?? 50) : 50;
        const prompts = await cache.tokens.of(spec, target, imageLabel, embedding, steps);
        if (prompts !== undefined) {
          tokens = join(base, `${target.name}.tokens.json`);
          const score = 'fusion' in spec && spec.fusion.id === 'dot' ? 'dot' : 'cosine';
          await writeTokensFile(await put(tokens), { format: 'envision-tokens/1', image: imageLabel, method: methodName, target: target.name, score, shown, prompts });
          words = prompts.map((p) => ({ text: p.text, words: wordScores(p, shown) }));
        }
      }
      const rowsOfMaps = Array.from({ length: maps.shape[0]! }, (_, k) => row(maps, k));
      const metrics = rowsOfMaps.length >= 2 ? { classMapSimilarity: classMapSimilarity(rowsOfMaps) } : undefined;
      items.push({
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
      });
    }
    const waitStart = performance.now();
    await rendering.drain();
    renderMs += performance.now() - waitStart;
    const files: WrittenFile[] = [];
    for (const path of written) files.push(await fileEntry(out, path));
    return { format: ITEM_RECORD_FORMAT, id: item.id, inputs: item.inputs, items, ...(perDimension ? { perDimension } : {}), files, attributionMs, renderMs };
  } catch (e) {
    // (whatever the cause: the run goes on without this item, which must leave no half of its files)
    await rendering.drain().catch(() => undefined);
    await removeWritten(out, written).catch(() => undefined);
    throw e;
  }
}

/** The {@link WrittenFile} entry of a file in the run folder. */
export async function fileEntry(runDir: string, path: string): Promise<WrittenFile> {
  const bytes = await readFile(join(runDir, path));
  return { path, bytes: bytes.length, sha256: sha256(bytes) };
}

/** True when every file of a record is in the run folder with its recorded size and SHA-256. */
export async function recordFilesIntact(runDir: string, record: Pick<ItemRecord, 'files'>): Promise<boolean> {
  for (const f of record.files) {
    const now = await fileEntry(runDir, f.path).catch(() => undefined);
    if (now === undefined || now.bytes !== f.bytes || now.sha256 !== f.sha256) return false;
  }
  return true;
}

/** Deletes a record's files (a run stopped by bad input takes back the items it computed). */
export async function removeRecordFiles(runDir: string, record: Pick<ItemRecord, 'files'>): Promise<void> {
  await removeWritten(runDir, new Set(record.files.map((f) => f.path)));
}

