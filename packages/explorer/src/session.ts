import { relative } from 'node:path';
import {
  EnvisionError,
  SIGNS,
  TOKEN_METHODS,
  TextTokenCache,
  checkEmbeddings,
  displayImage,
  fuseStored,
  perDimensionMaps,
  prepareTarget,
  readNpy,
  renderOverlay,
  resolveRunMethods,
  row,
  tensor,
  wordScores,
  type Experiment,
  type ExperimentTextsTarget,
  type PluginRegistry,
  type RunManifest,
  type RunMethod,
  type Sign,
  type Tensor,
  type VlmAdapter,
} from '@envision/core';

/** The limits of the explorer's JSON API: requests beyond them are answered 4xx and change nothing. */
export const EXPLORER_LIMITS = {
  /** Characters of one prompt (after trimming). */
  promptChars: 300,
  /** Prompts in one request. */
  prompts: 8,
  /** Bytes of a request body. */
  bodyBytes: 16_384,
  /** Store computations kept running at once (for the whole server). */
  runningJobs: 1,
} as const;

/** A request the explorer refuses: its HTTP status and a message for the user. */
export class RequestError extends Error {
  /**
   * @param status - the HTTP status (4xx)
   * @param message - what is wrong, one line
   */
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

/** A finished run as the explorer serves it, with the one model loaded for it. */
export interface ExplorerRun {
  /** The run folder (the manifest's paths are relative to it). */
  readonly runDir: string;
  /** The run's `manifest.json`. */
  readonly manifest: RunManifest;
  /** The resolved experiment the run recorded (`manifest.config`). */
  readonly plan: Experiment;
  /** The plugins the experiment names. */
  readonly registry: PluginRegistry;
  /** The run's model, loaded once for the server. */
  readonly adapter: VlmAdapter;
}

/** What `POST /api/maps` takes. */
export interface MapsRequest {
  /** The image, as the manifest names it. */
  readonly image: string;
  /** 1 to {@link EXPLORER_LIMITS}.prompts texts, each 1 to {@link EXPLORER_LIMITS}.promptChars characters. */
  readonly prompts: readonly string[];
  /** The run's embedding target whose fusion rule fuses the prompts; default its first. */
  readonly target?: string;
  /** The methods to show; default every method with a store. */
  readonly methods?: readonly string[];
  /** The sign to render; default the run's first. */
  readonly sign?: Sign;
  /** The outlier percentage clipped when rendering, 0–100; default the run's. */
  readonly outlierPerc?: number;
  /** Also return the raw map values (base64 float32, little-endian). @default false */
  readonly values?: boolean;
}

/** One prompt's map of one method in a {@link MapsResponse}. */
export interface PromptMap {
  readonly prompt: string;
  /** The overlay, a `data:image/png;base64,…` URL, rendered as the run renders its overlays. */
  readonly png: string;
  /** The map `[H, W]` as base64 float32 little-endian, when asked for. */
  readonly values?: string;
}

/** What `POST /api/maps` answers. */
export interface MapsResponse {
  readonly image: string;
  readonly target: string;
  readonly fusion: string;
  readonly prompts: readonly string[];
  /** The model's score per prompt (the fusion's s_r). */
  readonly scores: readonly number[];
  readonly sign: Sign;
  readonly outlierPerc: number;
  /** The map's height and width. */
  readonly shape: readonly [number, number];
  readonly methods: readonly { readonly method: string; readonly maps: readonly PromptMap[] }[];
  /** Where the time went: encoding the prompts, fusing, rendering, all. */
  readonly milliseconds: { readonly encode: number; readonly fuse: number; readonly render: number; readonly total: number };
}

/** A store computation started with `POST /api/stores`. */
export interface StoreJob {
  readonly id: string;
  readonly image: string;
  readonly method: string;
  state: 'running' | 'done' | 'failed';
  /** Progress in the method's units (target rows × steps). */
  done: number;
  total: number;
  message?: string;
}

interface LoadedImage {
  readonly file: string;
  readonly pixels: Tensor<'float32'>;
  readonly embedding: Float32Array;
  readonly underlay: ReturnType<typeof displayImage>;
}

/** A live target: a text target of the run explained with the proposed approach, whose fusion rule the explorer uses. */
export interface LiveTarget {
  /** The target's name in the run. */
  readonly name: string;
  /** The target as the experiment gives it (its fusion rule and options). */
  readonly spec: ExperimentTextsTarget;
}

/**
 * The explorer's model side: the images of a run (preprocessed and embedded once each), the per-dimension stores
 * (read from the run, or computed on demand), and maps for new prompts, computed with the pipeline's own functions —
 * `prepareTarget` (one text encoding and the fusion rule), `fuseStored` (one MatMul) and `renderOverlay` — so a map
 * here equals the map `envision run` writes for the same text, method and fusion.
 */
export class ExplorerSession {
  /** The run's methods as the run resolved them. */
  readonly methods: readonly RunMethod[];
  /** The run's images: label (as the manifest names it) → file. */
  readonly images: ReadonlyMap<string, string>;
  /** The run's embedding targets (their fusion rules fuse new prompts); a `dot` target when the run has none. */
  readonly targets: readonly LiveTarget[];
  /** True when the run has token attributions (a target with `explain: text`). */
  readonly tokens: boolean;
  private readonly loaded = new Map<string, Promise<LoadedImage>>();
  private readonly stores = new Map<string, Promise<Tensor<'float32'>>>();
  private readonly jobs = new Map<string, StoreJob>();
  private tokenCache: TextTokenCache;
  private tokenRequests = 0;

  /** @param run - the run and its loaded model */
  constructor(readonly run: ExplorerRun) {
    const { plan, registry, adapter } = run;
    this.methods = resolveRunMethods(plan, registry, adapter);
    this.images = new Map(plan.images.map((file) => [relative(plan.baseDir, file) || file, file]));
    const texts = plan.targets.filter((t): t is ExperimentTextsTarget => 'fusion' in t && t.target === 'embedding');
    this.targets =
      texts.length > 0
        ? texts.map((t) => ({ name: t.name, spec: t }))
        : [{ name: 'prompts', spec: { name: 'prompts', target: 'embedding', texts: [], fusion: { id: 'dot', options: {} } } }];
    this.tokens = run.manifest.items.some((i) => i.tokens !== undefined);
    this.tokenCache = new TextTokenCache(adapter);
  }

  /** The stored per-dimension maps of an image and method, if the run or this server has them (or is computing them). */
  hasStore(image: string, method: string): 'run' | 'computed' | 'running' | undefined {
    if (this.run.manifest.perDimension.some((p) => p.image === image && p.method === method)) return 'run';
    const job = this.jobs.get(key(image, method));
    if (job?.state === 'done') return 'computed';
    return job?.state === 'running' ? 'running' : undefined;
  }

  /** The job computing a store for an image and method, if one was started. */
  job(id: string): StoreJob | undefined {
    return [...this.jobs.values()].find((j) => j.id === id);
  }

  /** Every store job, for the overview. */
  allJobs(): StoreJob[] {
    return [...this.jobs.values()];
  }

  /** Why a method has no live maps for new prompts (no store), in a sentence. */
  whyNotLive(method: string): string {
    const m = this.methods.find((x) => x.name === method);
    const linear = m?.linear ? 'a method linear in its target' : 'a method';
    return `the run explained ${method} with the direct strategy (${linear} with fewer prompts than the embedding has dimensions), so it stored no per-dimension maps: a new prompt would need the model run again. Compute the store (${this.run.adapter.embeddingDim} maps, once) to make it live.`;
  }

  private image(label: unknown): Promise<LoadedImage> {
    const file = typeof label === 'string' ? this.images.get(label) : undefined;
    if (file === undefined) throw new RequestError(404, `no image ${JSON.stringify(label)} in this run (images: ${[...this.images.keys()].join(', ')})`);
    let p = this.loaded.get(file);
    if (p === undefined) {
      const { adapter } = this.run;
      p = (async () => {
        const pixels = await adapter.preprocessImage(file);
        const embedding = checkEmbeddings(await adapter.encodeImage(pixels), 1, adapter, 'encodeImage').data;
        return { file, pixels, embedding, underlay: displayImage(pixels) };
      })();
      p.catch(() => this.loaded.delete(file));
      this.loaded.set(file, p);
    }
    return p;
  }

  private store(image: string, method: string): Promise<Tensor<'float32'>> | undefined {
    const k = key(image, method);
    const cached = this.stores.get(k);
    if (cached !== undefined) return cached;
    const entry = this.run.manifest.perDimension.find((p) => p.image === image && p.method === method);
    if (entry === undefined) return undefined;
    const p = readNpy(confined(this.run.runDir, entry.npy)).then((t) => {
      if (t.dtype !== 'float32' || t.shape.length !== 3 || t.shape[0] !== this.run.adapter.embeddingDim) {
        throw new EnvisionError('E_INPUT', `${entry.npy} is not float32 [${this.run.adapter.embeddingDim}, H, W]`);
      }
      return t as Tensor<'float32'>;
    });
    p.catch(() => this.stores.delete(k));
    this.stores.set(k, p);
    return p;
  }

  private target(name: unknown): LiveTarget {
    if (name === undefined) return this.targets[0]!;
    const t = this.targets.find((x) => x.name === name);
    if (t === undefined) throw new RequestError(400, `no embedding target ${JSON.stringify(name)} in this run (targets: ${this.targets.map((x) => x.name).join(', ')})`);
    return t;
  }

  /**
   * Maps of new prompts for every method with a store (or those asked for): the prompts' text encodings, the run's
   * fusion rule, one MatMul per method. Each prompt is embedded on its own, so its map equals the one `envision run`
   * writes for a target of that text alone (with the same fusion), whatever prompts are beside it.
   */
  async maps(request: MapsRequest): Promise<MapsResponse> {
    const started = performance.now();
    const r = checkMapsRequest(request, this);
    const target = this.target(r.target);
    const wanted = r.methods ?? this.methods.map((m) => m.name).filter((m) => this.hasStore(r.image, m) === 'run' || this.hasStore(r.image, m) === 'computed');
    for (const m of wanted) {
      if (!this.methods.some((x) => x.name === m)) throw new RequestError(400, `no method ${JSON.stringify(m)} in this run (methods: ${this.methods.map((x) => x.name).join(', ')})`);
      const has = this.hasStore(r.image, m);
      if (has !== 'run' && has !== 'computed') throw new RequestError(409, `method ${m} has no per-dimension maps for ${r.image}: ${this.whyNotLive(m)}`);
    }
    const image = await this.image(r.image);
    const stores = await Promise.all(wanted.map((m) => this.store(r.image, m) ?? this.stores.get(key(r.image, m))!));
    const encodeStart = performance.now();
    const spec = promptsTarget(target.name, target.spec.fusion, r.prompts, 'image');
    const prepared = await prepareTarget(spec, this.run.adapter, this.run.registry, this.run.plan.seed);
    const { weights, scores } = prepared.at(image.embedding);
    const m = this.run.adapter.embeddingDim;
    const fuseStart = performance.now();
    // One MatMul per prompt and method: a prompt's map is then the same float32 numbers whatever prompts are beside it
    // (the GEMM's blocking, so its rounding, depends on the number of rows) and the same as a run of that text alone.
    const fused = await Promise.all(stores.map((s) => Promise.all(r.prompts.map((_, k) => fuseStored(s, tensor('float32', [1, m], weights.data.slice(k * m, (k + 1) * m)))))));
    const renderStart = performance.now();
    const alpha = this.run.plan.output.alpha;
    const methods = await Promise.all(
      fused.map(async (maps, j) => ({
        method: wanted[j]!,
        maps: await Promise.all(
          r.prompts.map(async (prompt, k) => {
            const map = row(maps[k]!, 0);
            const png = await renderOverlay({ map, image: image.underlay, sign: r.sign, outlierPerc: r.outlierPerc, alpha });
            return { prompt, png: `data:image/png;base64,${Buffer.from(png).toString('base64')}`, ...(r.values ? { values: Buffer.from(map.data.buffer, map.data.byteOffset, map.data.byteLength).toString('base64') } : {}) };
          }),
        ),
      })),
    );
    const done = performance.now();
    const [h, w] = (stores[0]?.shape.slice(1) ?? [image.underlay.height, image.underlay.width]) as [number, number];
    return {
      image: r.image,
      target: target.name,
      fusion: target.spec.fusion.id,
      prompts: r.prompts,
      scores: [...scores],
      sign: r.sign,
      outlierPerc: r.outlierPerc,
      shape: [h, w],
      methods,
      milliseconds: { encode: fuseStart - encodeStart, fuse: renderStart - fuseStart, render: done - renderStart, total: done - started },
    };
  }

  /**
   * Token attributions of new prompts at an image (the run must have them): the words of each prompt with
   * their Layer IG and saliency × embedding scores, computed as the run computes its `explain: text` tokens.
   */
  async words(request: { image?: unknown; prompts?: unknown; target?: unknown }): Promise<{ prompts: { text: string; score: number; words: { word: string; ig: number; saliency: number }[] }[] }> {
    if (!this.tokens) throw new RequestError(409, 'this run has no token attributions (no target with explain: text)');
    const r = checkMapsRequest({ image: request.image, prompts: request.prompts } as MapsRequest, this);
    const target = this.target(request.target);
    const image = await this.image(r.image);
    const spec = promptsTarget(`explorer-${this.tokenRequests++}`, target.spec.fusion, r.prompts, 'text');
    const prepared = await prepareTarget(spec, this.run.adapter, this.run.registry, this.run.plan.seed);
    const ig = this.methods.find((m) => m.method.meta.id === 'ig');
    const steps = ig !== undefined ? Number((ig.options as { steps?: number }).steps ?? 50) : 50;
    if (this.tokenRequests % 200 === 0) this.tokenCache = new TextTokenCache(this.run.adapter);
    const prompts = (await this.tokenCache.of(spec, prepared, r.image, image.embedding, steps)) ?? [];
    return {
      prompts: prompts.map((p) => {
        const ig = wordScores(p, TOKEN_METHODS.ig!);
        const sal = wordScores(p, TOKEN_METHODS.saliency!);
        return { text: p.text, score: p.score, words: ig.map((w, i) => ({ word: w.word, ig: w.score, saliency: sal[i]?.score ?? 0 })) };
      }),
    };
  }

  /** Starts computing the per-dimension maps of an image and method (or returns the job already started). */
  startStore(request: { image?: unknown; method?: unknown }): StoreJob {
    if (typeof request.image !== 'string' || !this.images.has(request.image)) throw new RequestError(404, `no image ${JSON.stringify(request.image)} in this run`);
    const m = this.methods.find((x) => x.name === request.method);
    if (m === undefined) throw new RequestError(400, `no method ${JSON.stringify(request.method)} in this run (methods: ${this.methods.map((x) => x.name).join(', ')})`);
    const image = request.image;
    if (this.hasStore(image, m.name) === 'run') throw new RequestError(409, `${m.name} already has per-dimension maps for ${image}`);
    const k = key(image, m.name);
    const existing = this.jobs.get(k);
    if (existing !== undefined && existing.state !== 'failed') return existing;
    if ([...this.jobs.values()].filter((j) => j.state === 'running').length >= EXPLORER_LIMITS.runningJobs) {
      throw new RequestError(429, 'another store is being computed: wait for it to finish');
    }
    const job: StoreJob = { id: `${this.jobs.size + 1}`, image, method: m.name, state: 'running', done: 0, total: 1 };
    this.jobs.set(k, job);
    const { adapter, plan, registry } = this.run;
    const { model, input, output } = adapter.vision;
    const p = this.image(image).then((loaded) =>
      perDimensionMaps(m.method, m.options, model, input, output, loaded.pixels, adapter.embeddingDim, (d, t) => {
        job.done = d;
        job.total = t;
      }, { resolveMethod: registry.methodResolver(), baseDir: plan.baseDir }),
    );
    const maps = p.then((r) => r.maps);
    maps.then(
      () => {
        job.state = 'done';
        job.done = job.total;
      },
      (e: unknown) => {
        job.state = 'failed';
        job.message = e instanceof Error ? e.message.split('\n')[0]! : String(e);
        this.stores.delete(k);
      },
    );
    this.stores.set(k, maps);
    return job;
  }
}

/**
 * The target a run would explain for these prompts, each embedded on its own (a class of one prompt): a prompt's map
 * does not depend on the prompts beside it and equals what `envision run` writes for a target with that text alone.
 */
function promptsTarget(name: string, fusion: ExperimentTextsTarget['fusion'], prompts: readonly string[], explain: 'image' | 'text'): ExperimentTextsTarget {
  const classes: Record<string, string[]> = {};
  for (const p of prompts) Object.defineProperty(classes, p, { value: [p], enumerable: true, writable: true, configurable: true });
  return { name, target: 'embedding', classes, fusion, explain };
}

function key(image: string, method: string): string {
  return `${image}\u0000${method}`;
}

/** A path of the manifest inside the run folder (lexically: the file server checks links, too). */
function confined(runDir: string, path: string): string {
  const rel = relative(runDir, `${runDir}/${path}`);
  if (rel.startsWith('..') || rel === '' || /^[/\\]/.test(path)) throw new EnvisionError('E_INPUT', `manifest path ${path} leaves the run folder`);
  return `${runDir}/${rel}`;
}

/** Checks a maps request against the limits and the run; returns it with its defaults. */
function checkMapsRequest(r: MapsRequest, session: ExplorerSession): Required<Omit<MapsRequest, 'target' | 'methods'>> & Pick<MapsRequest, 'target' | 'methods'> {
  if (r === null || typeof r !== 'object' || Array.isArray(r)) throw new RequestError(400, 'the request body must be a JSON object');
  if (typeof r.image !== 'string') throw new RequestError(400, 'image must be a string: the image as the run names it');
  if (!session.images.has(r.image)) throw new RequestError(404, `no image ${JSON.stringify(r.image)} in this run (images: ${[...session.images.keys()].join(', ')})`);
  if (!Array.isArray(r.prompts) || r.prompts.length === 0) throw new RequestError(400, 'prompts must be a non-empty array of strings');
  if (r.prompts.length > EXPLORER_LIMITS.prompts) throw new RequestError(413, `at most ${EXPLORER_LIMITS.prompts} prompts at once, got ${r.prompts.length}`);
  const prompts = r.prompts.map((p, i) => {
    if (typeof p !== 'string') throw new RequestError(400, `prompts[${i}] must be a string`);
    const t = p.trim();
    if (t.length === 0) throw new RequestError(400, `prompts[${i}] is empty`);
    if (t.length > EXPLORER_LIMITS.promptChars) throw new RequestError(413, `prompts[${i}] has ${t.length} characters: at most ${EXPLORER_LIMITS.promptChars}`);
    return t;
  });
  const twice = prompts.find((p, i) => prompts.indexOf(p) !== i);
  if (twice !== undefined) throw new RequestError(400, `prompt ${JSON.stringify(twice)} is given twice`);
  if (r.methods !== undefined && (!Array.isArray(r.methods) || !r.methods.every((m) => typeof m === 'string'))) throw new RequestError(400, 'methods must be an array of method names');
  if (r.target !== undefined && typeof r.target !== 'string') throw new RequestError(400, 'target must be a string');
  const sign = r.sign ?? session.run.plan.output.signs[0] ?? 'all';
  if (!SIGNS.includes(sign)) throw new RequestError(400, `sign must be one of ${SIGNS.join(', ')}, got ${JSON.stringify(sign)}`);
  const outlierPerc = r.outlierPerc ?? session.run.plan.output.outlierPerc;
  if (typeof outlierPerc !== 'number' || !Number.isFinite(outlierPerc) || outlierPerc < 0 || outlierPerc > 100) throw new RequestError(400, 'outlierPerc must be a number from 0 to 100');
  if (r.values !== undefined && typeof r.values !== 'boolean') throw new RequestError(400, 'values must be true or false');
  return { image: r.image, prompts, sign, outlierPerc, values: r.values ?? false, ...(r.target === undefined ? {} : { target: r.target }), ...(r.methods === undefined ? {} : { methods: r.methods }) };
}
