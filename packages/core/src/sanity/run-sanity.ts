import { access, mkdir } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import { DifferentiableOnnxModel, EnvisionError, SeededRandom, tensor, writeFileAtomic, type ModelProto, type Tensor } from '@envision/onnx-grad';
import type { VlmAdapter } from '../adapter.js';
import { checkEmbeddings } from '../adapter-check.js';
import { attribute } from '../attribute.js';
import type { Experiment, ExperimentTarget } from '../config/experiment.js';
import type { RunManifest } from '../manifest.js';
import type { PluginRegistry } from '../registry.js';
import { renderGrid, renderOverlay, sumChannels } from '../render/index.js';
import { renderStandalonePage } from '../report/standalone-page.js';
import { writeReport, REPORT_FILE } from '../report/write-report.js';
import { fuseStored, perDimensionMaps } from '../pipeline/jacobian-store.js';
import { slug, uniqueNames } from '../pipeline/labels.js';
import { loadCheckedAdapter } from '../pipeline/load-adapter.js';
import { runReportExtras } from '../pipeline/report-extras.js';
import { lockRunFolder } from '../pipeline/run-lock.js';
import { chooseStrategy, resolveRunMethods, type RunMethod } from '../pipeline/run.js';
import { confinedPath } from '../pipeline/stale-files.js';
import { prepareTarget, type PreparedTarget } from '../pipeline/targets.js';
import { renderSanitySection } from '../report/sanity-section.js';
import { parameterLayers, randomReplacements, type ParameterLayer } from './randomize.js';
import { SANITY_FILE, type SanityMethodResult, type SanityResult, type SanityStep } from './result.js';
import { mapSimilarity, type SanitySimilarity } from './similarity.js';
import { readFile } from 'node:fs/promises';

/** Listeners of a sanity check. */
export interface SanityListeners {
  /** A line of progress (for stderr). */
  onProgress?(message: string): void;
  /** A warning (one line), e.g. an execution provider that cannot load, dropped because the list names `cpu`. */
  onWarning?(message: string): void;
  /** After each step of each method. */
  onStep?(method: string, step: SanityStep): void;
}

/** One step to run: a change of the model or of the target. */
export interface PlannedSanityStep {
  readonly kind: SanityStep['kind'];
  readonly label: string;
  readonly layers: readonly number[];
}

/** The steps the settings ask for, over the first `n` layers. */
export function sanitySteps(settings: Experiment['sanity'], n: number): PlannedSanityStep[] {
  const steps: PlannedSanityStep[] = [];
  const ranks = Array.from({ length: n }, (_, i) => i + 1);
  if (settings.steps !== 'independent') for (const k of ranks) steps.push({ kind: 'cascading', label: `cascading ${k}`, layers: ranks.slice(0, k) });
  if (settings.steps !== 'cascading') for (const k of ranks) steps.push({ kind: 'independent', label: `independent ${k}`, layers: [k] });
  if (settings.randomPrompt) steps.push({ kind: 'random-prompt', label: 'random prompt', layers: [] });
  return steps;
}

/**
 * The random counterpart of a target: a `dimensions` target gets as many other dimensions (seeded); a text target
 * gets random text embeddings, each a seeded Gaussian vector scaled to the norm of the real text's embedding, fused by
 * the same rule (so a nonlinear fusion sees scores of the usual size).
 */
async function randomTarget(spec: ExperimentTarget, adapter: VlmAdapter, registry: PluginRegistry, plan: Experiment): Promise<PreparedTarget> {
  const random = new SeededRandom(plan.sanity.seed + 1);
  const m = adapter.embeddingDim;
  if ('dimensions' in spec) {
    const pool = Array.from({ length: m }, (_, i) => i).filter((d) => !spec.dimensions.includes(d));
    const dims: number[] = [];
    for (let i = 0; i < spec.dimensions.length; i++) {
      if (pool.length === 0) break;
      dims.push(pool.splice(random.integer(pool.length), 1)[0]!);
    }
    return prepareTarget({ name: spec.name, dimensions: dims.length === spec.dimensions.length ? dims : spec.dimensions.map(() => random.integer(m)) }, adapter, registry, plan.seed);
  }
  const randomText: VlmAdapter = Object.create(adapter) as VlmAdapter;
  Object.defineProperty(randomText, 'encodeText', {
    value: async (texts: readonly string[]): Promise<Tensor<'float32'>> => {
      const real = checkEmbeddings(await adapter.encodeText(texts), texts.length, adapter, 'encodeText');
      const out = new Float32Array(real.data.length);
      for (let k = 0; k < texts.length; k++) {
        let norm = 0;
        let drawn = 0;
        for (let i = 0; i < m; i++) {
          norm += real.data[k * m + i]! ** 2;
          out[k * m + i] = random.normal();
          drawn += out[k * m + i]! ** 2;
        }
        const scale = Math.sqrt(norm) / Math.max(Math.sqrt(drawn), 1e-12);
        for (let i = 0; i < m; i++) out[k * m + i]! *= scale;
      }
      return tensor('float32', [texts.length, m], out);
    },
  });
  return prepareTarget(spec, randomText, registry, plan.seed);
}

/** The channel-summed map planes `[H·W]` of each target row for one method on one model. */
async function mapPlanes(
  model: DifferentiableOnnxModel,
  adapter: VlmAdapter,
  pixels: Tensor<'float32'>,
  method: RunMethod,
  target: PreparedTarget,
  plan: Experiment,
  registry: PluginRegistry,
): Promise<{ planes: Float32Array[]; height: number; width: number; strategy: 'direct' | 'jacobian'; milliseconds: number }> {
  const { input, output } = adapter.vision;
  const m = adapter.embeddingDim;
  const started = performance.now();
  // The image embedding of this model (the randomised one's differs), which a nonlinear fusion's weights depend on.
  const embedded = (await model.run({ [input]: pixels }, [output]))[output]!;
  const embedding = checkEmbeddings(embedded as Tensor<'float32'>, 1, adapter, 'encodeImage').data;
  const { weights, head } = target.at(embedding);
  const rows = weights.shape[0]!;
  const strategy = chooseStrategy(plan.strategy, method.linear, target, rows, m);
  const resolveMethod = registry.methodResolver();
  let maps: Tensor<'float32'>;
  if (strategy === 'jacobian') {
    const store = await perDimensionMaps(method.method, method.options, model, input, output, pixels, m, undefined, { resolveMethod, baseDir: plan.baseDir });
    maps = await fuseStored(store.maps, weights);
  } else {
    maps = (await attribute({ method: method.method, options: method.options, model, inputs: { [input]: pixels }, wrt: input, of: output, weights, strategy: 'direct', ...(head ? { head } : {}), resolveMethod, baseDir: plan.baseDir })).maps;
  }
  const [h, w] = maps.shape.slice(-2) as [number, number];
  const plane = h * w;
  const per = maps.data.length / rows;
  const planes = Array.from({ length: rows }, (_, k) => {
    const rowMap = maps.data.subarray(k * per, (k + 1) * per);
    return per === plane ? Float32Array.from(rowMap) : sumChannels(tensor('float32', [per / plane, h, w], rowMap));
  });
  return { planes, height: h, width: w, strategy, milliseconds: performance.now() - started };
}

/** Mean of the defined values, or null. */
function meanOf(values: readonly (number | null)[]): number | null {
  const ok = values.filter((v): v is number => v !== null);
  return ok.length === 0 ? null : ok.reduce((s, v) => s + v, 0) / ok.length;
}

/**
 * Runs the sanity checks of an experiment (its `sanity:` section) on its first image and first target: for each method
 * the maps of the trained vision model, then of the model with its layers randomised from the output down (cascading:
 * layers 1…k; independent: layer k alone; see {@link parameterLayers} and {@link randomReplacements}), and of a random
 * target on the trained model; each compared with the original maps by Spearman's ρ of absolute values and SSIM.
 * Writes `sanity.json`, one figure per method (`sanity/METHOD.png`: the first row's map per step) and the report
 * (`report.html`, re-rendered from the run's manifest when the folder holds a run, else a page of its own).
 *
 * One randomised model is built per step (in memory: initializers replaced in the decoded model, encoded, loaded into
 * onnxruntime) and shared by every method, then disposed.
 * @param plan - the validated experiment
 * @param registry - its plugins
 * @param out - the folder to write to (default the experiment's output folder)
 * @throws EnvisionError `E_CONFIG` when the adapter's vision model is not an ONNX model Envision loaded
 */
export async function runSanity(
  plan: Experiment,
  registry: PluginRegistry,
  out: string = plan.output.dir,
  listeners: SanityListeners = {},
): Promise<{ result: SanityResult; jsonPath: string; figures: string[]; reportPath: string }> {
  const started = performance.now();
  const settings = plan.sanity;
  const lock = await lockRunFolder(out, { keepManifest: true });
  let adapter: VlmAdapter | undefined;
  try {
    adapter = await loadCheckedAdapter(plan, registry, { ...(listeners.onWarning ? { onWarning: (m: string) => listeners.onWarning!(m) } : {}) });
    const model = adapter.vision.model;
    if (!(model instanceof DifferentiableOnnxModel)) {
      throw new EnvisionError('E_CONFIG', `sanity: adapter ${adapter.id}'s vision model is not an ONNX model loaded with DifferentiableOnnxModel, so its weights cannot be randomised`);
    }
    const proto: ModelProto = model.modelProto();
    const layers: ParameterLayer[] = parameterLayers(proto);
    if (layers.length === 0) throw new EnvisionError('E_INPUT', `sanity: ${model.path} has no float initializers to randomise`);
    const reach = settings.layers === 'all' ? layers.length : Math.min(settings.layers, layers.length);
    const methods = resolveRunMethods(plan, registry, adapter);
    const spec = plan.targets[0]!;
    const target = await prepareTarget(spec, adapter, registry, plan.seed);
    const image = plan.images[0]!;
    const pixels = await adapter.preprocessImage(image);
    const steps = sanitySteps(settings, reach);
    listeners.onProgress?.(`${methods.length} method(s) × ${steps.length + 1} maps; ${reach} of ${layers.length} layers of ${basename(model.path)}; image ${basename(image)}, target ${spec.name}`);

    type Maps = Awaited<ReturnType<typeof mapPlanes>>;
    const original = new Map<string, Maps>();
    for (const method of methods) {
      const maps = await mapPlanes(model, adapter, pixels, method, target, plan, registry);
      original.set(method.name, maps);
      listeners.onProgress?.(`original ${method.name} (${(maps.milliseconds / 1000).toFixed(1)} s)`);
    }
    const stepsOf = new Map<string, SanityStep[]>(methods.map((m) => [m.name, []]));
    const firstRows = new Map<string, Float32Array[]>(methods.map((m) => [m.name, [original.get(m.name)!.planes[0]!]]));
    const compare = (method: string, maps: Maps, step: PlannedSanityStep): SanityStep => {
      const o = original.get(method)!;
      const rows: Partial<Record<SanitySimilarity, (number | null)[]>> = {};
      const similarity: Partial<Record<SanitySimilarity, number | null>> = {};
      for (const measure of settings.similarity) {
        const values = o.planes.map((p, k) => {
          const v = mapSimilarity(measure, p, maps.planes[k]!, o.height, o.width);
          return Number.isFinite(v) ? v : null;
        });
        rows[measure] = values;
        similarity[measure] = meanOf(values);
      }
      return { kind: step.kind, label: step.label, layers: step.layers, similarity, rows, milliseconds: maps.milliseconds };
    };
    let randomPromptTarget: PreparedTarget | undefined;
    const drawn = new Map<string, Tensor>(); // each layer's random values, drawn once (at most the model's size)
    for (const [index, step] of steps.entries()) {
      const stepStart = performance.now();
      let stepModel: DifferentiableOnnxModel = model;
      if (step.kind === 'random-prompt') randomPromptTarget ??= await randomTarget(spec, adapter, registry, plan);
      else stepModel = await model.withInitializers(randomReplacements(proto, step.layers.map((r) => layers[r - 1]!), settings.seed, drawn), `sanity-${step.kind}-${step.layers.join('-')}`);
      try {
        for (const method of methods) {
          const maps = await mapPlanes(stepModel, adapter, pixels, method, step.kind === 'random-prompt' ? randomPromptTarget! : target, plan, registry);
          const result = compare(method.name, maps, step);
          stepsOf.get(method.name)!.push(result);
          firstRows.get(method.name)!.push(maps.planes[0]!);
          listeners.onStep?.(method.name, result);
        }
      } finally {
        if (stepModel !== model) await stepModel.dispose();
      }
      listeners.onProgress?.(`step ${index + 1}/${steps.length} ${step.label} (${((performance.now() - stepStart) / 1000).toFixed(1)} s)`);
    }

    // Figures: heat maps of |map| (Captum's heat_map, no underlay, so faint maps stay visible), rows cascading /
    // independent / random prompt, columns the original and layers 1…reach.
    const names = uniqueNames(methods.map((m) => slug(m.name)));
    const figures: string[] = [];
    const results: SanityMethodResult[] = [];
    await mkdir(join(out, 'sanity'), { recursive: true });
    for (const [i, method] of methods.entries()) {
      const o = original.get(method.name)!;
      const planes = firstRows.get(method.name)!;
      const cell = (p: Float32Array) => renderOverlay({ map: tensor('float32', [o.height, o.width], p), sign: 'absolute_value', outlierPerc: plan.output.outlierPerc });
      const originalCell = await cell(planes[0]!);
      const rowsOfCells: (Uint8Array | null)[][] = [];
      const rowLabels: string[] = [];
      for (const kind of ['cascading', 'independent', 'random-prompt'] as const) {
        const picked = steps.map((s, k) => [s, planes[k + 1]!] as const).filter(([s]) => s.kind === kind);
        if (picked.length === 0) continue;
        const cells: (Uint8Array | null)[] = [originalCell];
        for (const [, p] of picked) cells.push(await cell(p));
        while (cells.length < reach + 1) cells.push(null);
        rowsOfCells.push(cells);
        rowLabels.push(kind === 'random-prompt' ? 'random prompt' : kind);
      }
      const colLabels = ['original', ...Array.from({ length: reach }, (_, k) => `${k + 1}`)];
      const figure = join('sanity', `${names[i]}.png`);
      await writeFileAtomic(await confinedPath(out, figure), await renderGrid({ cells: rowsOfCells, rowLabels, colLabels, cellSize: 96 }));
      figures.push(figure);
      results.push({ method: method.name, id: method.method.meta.id, strategy: o.strategy, figure, steps: stepsOf.get(method.name)! });
    }
    const result: SanityResult = {
      format: 'envision-sanity/1',
      createdAt: new Date().toISOString(),
      configFile: plan.configFile,
      image: relative(plan.baseDir, image) || image,
      target: spec.name,
      labels: target.labels,
      settings,
      model: {
        file: model.path,
        sha256: model.sha256,
        randomised: reach,
        layers: layers.map((l) => ({ rank: l.rank, node: l.node, name: l.name, initializers: l.initializers, parameters: l.parameters })),
      },
      methods: results,
      timings: { totalMs: performance.now() - started },
    };
    const jsonPath = await confinedPath(out, SANITY_FILE);
    await writeFileAtomic(jsonPath, JSON.stringify(result, null, 2) + '\n');
    const reportPath = await writeSanityReport(out, result);
    return { result, jsonPath, figures, reportPath };
  } finally {
    await adapter?.dispose?.();
    await lock.release();
  }
}

/**
 * The report with the sanity section: the run's report re-rendered from its manifest when the folder holds a run,
 * else a page of its own.
 */
async function writeSanityReport(out: string, result: SanityResult): Promise<string> {
  const manifestPath = join(out, 'manifest.json');
  const hasRun = await access(manifestPath).then(
    () => true,
    () => false,
  );
  if (hasRun) {
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as RunManifest;
    return writeReport(out, manifest, await runReportExtras(out, manifest));
  }
  const path = join(out, REPORT_FILE);
  await writeFileAtomic(path, renderStandalonePage({ title: `Envision sanity checks: ${result.configFile}`, subtitle: `No run in this folder yet: envision run ${basename(result.configFile, extname(result.configFile))} adds the maps.`, body: renderSanitySection(result, out) }));
  return path;
}
